import type { PipelineDefinition, Step } from '../../../src/domain/pipelines/pipelineDefinition.js';
import {
  type CompiledPipeline,
  compilePipeline,
  type RecordContext,
  StepFailure,
  type TransformDependencies,
} from '../../../src/processors/transform/compilePipeline.js';
import type { JsonRecord } from '../../../src/processors/transform/jsonRecord.js';

export const definitionOf = (steps: Step[]): PipelineDefinition => ({
  source: { topic: 'orders', format: 'json' },
  steps,
  sink: { topic: 'orders-clean' },
});

export const pipelineOf = (steps: Step[], dependencies?: TransformDependencies): CompiledPipeline =>
  compilePipeline(definitionOf(steps), dependencies);

export const at = (timestamp = 0, partition = 0): RecordContext => ({ partition, timestamp });

/** Runs a pipeline that has no I/O step, asserting that it answered synchronously. */
export const runSync = (
  pipeline: CompiledPipeline,
  record: JsonRecord,
  context = at(),
): JsonRecord | null => {
  const out = pipeline.process(record, context);
  if (out instanceof Promise) throw new Error('expected a synchronous answer');
  return out;
};

/** The StepFailure a synchronous run throws. */
export const failureOf = (pipeline: CompiledPipeline, record: JsonRecord, context = at()): StepFailure => {
  try {
    runSync(pipeline, record, context);
  } catch (error) {
    if (error instanceof StepFailure) return error;
    throw error;
  }
  throw new Error('expected a StepFailure');
};
