import type { DedupeStep } from '../../domain/pipelines/pipelineDefinition.js';
import { celErrorSummary, compileCelExpression, toJsonValue } from './celExpression.js';
import type { CompiledStep } from './compiledStep.js';
import { DedupeWindow } from './dedupeWindow.js';
import { StepFailure, type StepLocation } from './stepFailure.js';

/** Keys kept per partition at most: about 100 MB for short keys, a bound rather than a target. */
export const MAX_DEDUPE_KEYS_PER_PARTITION = 1_000_000;

/**
 * Drops a record (null) whose key was seen on its partition within `withinMs` of its Kafka
 * timestamp. Keys are per partition, as records with one key share one partition.
 *
 * The windows live in this process's memory only: they do not survive a restart or a
 * rebalance that moves a partition to another processor, so a duplicate arriving just after
 * one passes. Dedupe here trims duplicates; it is not an exactly-once guarantee.
 */
export const compileDedupeStep = (
  step: DedupeStep,
  at: StepLocation,
  maxKeysPerPartition = MAX_DEDUPE_KEYS_PER_PARTITION,
): CompiledStep => {
  const program = compileCelExpression(step.key);
  const partitions = new Map<number, DedupeWindow>();
  return {
    async: false,
    run(record, context) {
      let key: string;
      try {
        // JSON text, so the string "1" and the number 1 are different keys.
        key = JSON.stringify(toJsonValue(program(record)));
      } catch (error) {
        throw new StepFailure(at, `key ${step.key}: ${celErrorSummary(error)}`, { cause: error });
      }
      let window = partitions.get(context.partition);
      if (window === undefined) {
        window = new DedupeWindow(step.withinMs, maxKeysPerPartition);
        partitions.set(context.partition, window);
      }
      return window.isDuplicate(key, context.timestamp) ? null : record;
    },
    close() {
      partitions.clear();
    },
  };
};
