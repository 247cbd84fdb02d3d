import { assertNever } from '../../domain/decider.js';
import type { PipelineDefinition, Step } from '../../domain/pipelines/pipelineDefinition.js';
import { compileMapStep } from './compileMapStep.js';
import type { JsonRecord } from './jsonRecord.js';

export type CompiledPipeline = (record: JsonRecord) => JsonRecord;

const compileStep = (step: Step): CompiledPipeline => {
  switch (step.kind) {
    case 'map':
      return compileMapStep(step);
    case 'filter':
      // The engine learns filter steps in a later issue; until then such a version does not start.
      throw new Error('filter steps are not supported by the transform engine yet');
    default:
      return assertNever(step);
  }
};

/** All steps of a version folded into one function, built once when the version starts. */
export const compilePipeline = (definition: PipelineDefinition): CompiledPipeline => {
  const steps = definition.steps.map(compileStep);
  return (record) => steps.reduce((current, step) => step(current), record);
};
