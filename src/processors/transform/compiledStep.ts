import type { JsonRecord } from './jsonRecord.js';

/** The Kafka record a value came from, as far as steps need it. */
export interface RecordContext {
  partition: number;
  /** The Kafka record timestamp, in ms since the epoch. */
  timestamp: number;
}

/** A record after a step, null when the step dropped it; a promise only from a step that does I/O. */
export type StepResult = JsonRecord | null | Promise<JsonRecord | null>;

/**
 * One step, compiled once per version. `run` never mutates the record it is given (the
 * processor may still hold it, to try it again after a failure that may pass): it returns that
 * record unchanged, null, or a new record that nothing else holds.
 */
export interface CompiledStep {
  run(record: JsonRecord, context: RecordContext): StepResult;
  /**
   * The step on a record the pipeline owns (a new record an earlier step made, or one its caller
   * gave up): may change it in place and return it, which saves a copy of the record per step.
   * A step that fails may leave it half changed. Absent where a step builds a new record anyway.
   */
  runInPlace?(record: JsonRecord, context: RecordContext): StepResult;
  /** True when `run` may return a promise. */
  readonly async: boolean;
  /** Frees what the step holds (caches, windows); never the clients it was given. */
  close?(): void;
}

/** A step that is plain synchronous code. */
export const syncStep = (
  run: (record: JsonRecord, context: RecordContext) => JsonRecord | null,
  runInPlace?: (record: JsonRecord, context: RecordContext) => JsonRecord | null,
): CompiledStep => (runInPlace === undefined ? { run, async: false } : { run, runInPlace, async: false });
