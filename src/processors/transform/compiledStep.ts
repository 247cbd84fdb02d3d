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
 * One step, compiled once per version. A step never mutates the record it is given (the
 * processor may still hold it, to send it to the DLQ as it came): it returns a new one.
 */
export interface CompiledStep {
  run(record: JsonRecord, context: RecordContext): StepResult;
  /** True when `run` may return a promise. */
  readonly async: boolean;
  /** Frees what the step holds (caches, windows); never the clients it was given. */
  close?(): void;
}

/** A step that is plain synchronous code. */
export const syncStep = (
  run: (record: JsonRecord, context: RecordContext) => JsonRecord | null,
): CompiledStep => ({
  run,
  async: false,
});
