import { assertNever } from '../../domain/decider.js';
import type { PipelineDefinition, Step } from '../../domain/pipelines/pipelineDefinition.js';
import { compileMapStep } from './compileMapStep.js';
import type { JsonRecord } from './jsonRecord.js';

export type CompiledPipeline = (record: JsonRecord) => JsonRecord;

const compileStep = (step: Step): CompiledPipeline => {
  switch (step.kind) {
    case 'map':
      return compileMapStep(step);
    default:
      return assertNever(step.kind);
  }
};

/** All steps of a version folded into one function, built once when the version starts. */
export const compilePipeline = (definition: PipelineDefinition): CompiledPipeline => {
  const steps = definition.steps.map(compileStep);
  return (record) => steps.reduce((current, step) => step(current), record);
};
