import type { AggregateStep } from '../../domain/pipelines/pipelineDefinition.js';
import {
  type CelProgram,
  celErrorSummary,
  compileCelExpression,
  toJsonValue,
} from '../transform/celExpression.js';
import type { JsonRecord } from '../transform/jsonRecord.js';
import { StepFailure, type StepLocation, showValue } from '../transform/stepFailure.js';
import { type MeasureAccumulator, measureAccumulator } from './measureAccumulator.js';

/** What the aggregate step reads from one record: its group key, event time and measure values. */
export interface AggregateRecordReader {
  readonly accumulators: readonly MeasureAccumulator[];
  /** The group key as text: a string as it is, any other value as JSON text. */
  key(record: JsonRecord): string;
  /** Event time in ms since the epoch. */
  eventTime(record: JsonRecord, timestamp: number): number;
  /**
   * Each measure's value into `values` (reused across records), checked against its function,
   * so a record fails here, before any window changes. `count` without an expression reads 0.
   */
  measureValues(record: JsonRecord, values: unknown[]): void;
}

// CEL gives ints as bigints and timestamps as Dates: as JSON holds them, a key of 1 and 1.0 is
// one key, and measures see plain numbers.
const jsonValue = (value: unknown): unknown => (typeof value === 'number' ? value : toJsonValue(value));

const eventTimeOf = (value: unknown): number => {
  let time: number;
  if (typeof value === 'number') time = value;
  else if (typeof value === 'bigint') time = Number(value);
  else if (value instanceof Date) time = value.getTime();
  else if (typeof value === 'string') time = Date.parse(value);
  else throw new Error(`${showValue(value)} is not a time (ms since the epoch, or ISO-8601 text)`);
  if (!Number.isFinite(time))
    throw new Error(`${showValue(value)} is not a time (ms since the epoch, or ISO-8601 text)`);
  return Math.floor(time);
};

/** Compiles the step's expressions once; the reader then throws StepFailures located at `at`. */
export const createAggregateRecordReader = (step: AggregateStep, at: StepLocation): AggregateRecordReader => {
  const keyProgram = compileCelExpression(step.key);
  const timeProgram = step.eventTime == null ? undefined : compileCelExpression(step.eventTime);
  const measures = step.measures;
  const programs: (CelProgram | undefined)[] = measures.map((measure) =>
    measure.expression == null ? undefined : compileCelExpression(measure.expression),
  );
  const accumulators = measures.map((measure) => measureAccumulator(measure.fn));
  const count = measures.length;

  return {
    accumulators,
    key(record) {
      let value: unknown;
      try {
        value = jsonValue(keyProgram(record));
      } catch (error) {
        throw new StepFailure(at, `key ${step.key}: ${celErrorSummary(error)}`, { cause: error });
      }
      if (typeof value === 'string') return value;
      if (value === null) throw new StepFailure(at, `key ${step.key}: is null`);
      return JSON.stringify(value);
    },
    eventTime(record, timestamp) {
      if (timeProgram === undefined) return timestamp;
      try {
        return eventTimeOf(timeProgram(record));
      } catch (error) {
        throw new StepFailure(at, `eventTime ${step.eventTime}: ${celErrorSummary(error)}`, { cause: error });
      }
    },
    measureValues(record, values) {
      for (let index = 0; index < count; index += 1) {
        const program = programs[index];
        if (program === undefined) {
          values[index] = 0;
          continue;
        }
        try {
          const value = jsonValue(program(record));
          accumulators[index]!.check(value);
          values[index] = value;
        } catch (error) {
          const measure = measures[index]!;
          throw new StepFailure(
            at,
            `measure "${measure.name}" (${measure.fn} of ${measure.expression}): ${celErrorSummary(error)}`,
            { cause: error },
          );
        }
      }
    },
  };
};
