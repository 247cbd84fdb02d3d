import type { AggregateStep } from '../../domain/pipelines/pipelineDefinition.js';
import { createAggregateRecordReader } from './aggregateRecordReader.js';
import type { AggregateEngine } from './partitionAggregator.js';
import { PartitionWindows, type WindowsPlan } from './partitionWindows.js';

export type {
  AddOutcome,
  AggregateEngine,
  PartitionAggregator,
  StateChange,
  WindowResult,
} from './partitionAggregator.js';
export { META_STATE_KEY } from './partitionWindows.js';

/**
 * Compiles a version's aggregate step once (its CEL expressions and measures); each partition
 * then gets its own windows. `stepIndex` is the step's place in its version, for the
 * StepFailures the aggregators throw (`steps[3] aggregate: ...`).
 */
export const createAggregateEngine = (step: AggregateStep, stepIndex = 0): AggregateEngine => {
  const plan: WindowsPlan = {
    step,
    reader: createAggregateRecordReader(step, { index: stepIndex, kind: 'aggregate' }),
    names: step.measures.map((measure) => measure.name),
  };
  return {
    forPartition: (partition) => new PartitionWindows(partition, plan),
    restore: (partition, entries) => {
      const windows = new PartitionWindows(partition, plan);
      windows.load(entries);
      return windows;
    },
  };
};
