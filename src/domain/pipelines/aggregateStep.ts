import type { FieldProblem } from '../../errors.js';
import { validateCelExpression } from './celExpression.js';
import { FIELD_NAME_MESSAGE, isFieldName } from './fieldNames.js';

/**
 * Groups records by `key` (a CEL expression, its value as text) into windows of event time and
 * keeps `measures` per window and key. It is a version's last step: its output is one record
 * per window and key, `{ key, windowStart, windowEnd, <measure>: value }` (times as ISO-8601),
 * keyed `<key>@<windowStart>` on Kafka, an upsert stream.
 *
 * Event time is `eventTime` (ms since the epoch as a number, an ISO-8601 string or a CEL
 * timestamp), the Kafka record timestamp when absent. A record later than `allowedLatenessMs`
 * behind its partition's watermark goes to the DLQ as late. `emit`: `onClose` sends a window
 * once, when it closes; `onUpdate` sends it after every change as well.
 */
export interface AggregateStep {
  kind: 'aggregate';
  window: AggregateWindow;
  key: string;
  eventTime?: string;
  measures: AggregateMeasure[];
  allowedLatenessMs?: number;
  emit?: AggregateEmit;
}

/**
 * Windows are [start, end). Tumbling and hopping windows are aligned to the epoch; a record
 * falls in `sizeMs / advanceMs` hopping windows. A session holds a key's records less than
 * `gapMs` apart: it starts at its first record and ends `gapMs` after its last.
 */
export type AggregateWindow =
  | { type: 'tumbling'; sizeMs: number }
  | { type: 'hopping'; sizeMs: number; advanceMs: number }
  | { type: 'session'; gapMs: number };

/**
 * `count` counts records (with an expression: those whose value is not null). `sum`, `avg`,
 * `min` and `max` skip nulls; `sum` and `avg` take numbers only, `min` and `max` numbers or
 * strings (strings compared as text, so ISO-8601 times order as times; any number orders
 * before any string). `distinctCount` is exact: the number of distinct values (as JSON text)
 * the window saw. `first` and `last` are the values of the earliest and latest records by
 * event time, ties broken by arrival.
 */
export interface AggregateMeasure {
  name: string;
  fn: MeasureFunction;
  expression?: string;
}

export type MeasureFunction = 'count' | 'sum' | 'min' | 'max' | 'avg' | 'distinctCount' | 'first' | 'last';
export type AggregateEmit = 'onClose' | 'onUpdate';

export const MEASURE_FUNCTIONS: readonly MeasureFunction[] = [
  'count',
  'sum',
  'min',
  'max',
  'avg',
  'distinctCount',
  'first',
  'last',
];
export const AGGREGATE_EMITS: readonly AggregateEmit[] = ['onClose', 'onUpdate'];
/** The output record's own fields, which no measure may take. */
export const RESERVED_MEASURE_NAMES: readonly string[] = ['key', 'windowStart', 'windowEnd'];

export const MIN_WINDOW_MS = 1_000;
// A window's state lives until it closes: a longer one would hold too much.
export const MAX_WINDOW_MS = 31 * 24 * 60 * 60 * 1000;
// Each record updates this many hopping windows: more would make every record costly.
export const MAX_HOPPING_WINDOWS_PER_RECORD = 100;
export const MAX_MEASURES = 50;

const WINDOW_TYPES = ['tumbling', 'hopping', 'session'];

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isDuration = (value: unknown, min: number): value is number =>
  Number.isInteger(value) && (value as number) >= min && (value as number) <= MAX_WINDOW_MS;

const durationMessage = (min: number) =>
  `must be a whole number of milliseconds from ${min} to ${MAX_WINDOW_MS} (31 days)`;

const validateWindow = (window: unknown, path: string): FieldProblem[] => {
  if (!isObject(window) || !WINDOW_TYPES.includes(window.type as string)) {
    return [{ path: `${path}.type`, message: `must be one of: ${WINDOW_TYPES.join(', ')}` }];
  }
  const duration = (field: string): FieldProblem[] =>
    isDuration(window[field], MIN_WINDOW_MS)
      ? []
      : [{ path: `${path}.${field}`, message: durationMessage(MIN_WINDOW_MS) }];
  if (window.type === 'tumbling') return duration('sizeMs');
  if (window.type === 'session') return duration('gapMs');
  const problems = [...duration('sizeMs'), ...duration('advanceMs')];
  if (problems.length > 0) return problems;
  const sizeMs = window.sizeMs as number;
  const advanceMs = window.advanceMs as number;
  if (advanceMs > sizeMs || sizeMs % advanceMs !== 0) {
    return [{ path: `${path}.advanceMs`, message: 'must divide sizeMs evenly (and be at most sizeMs)' }];
  }
  if (sizeMs / advanceMs > MAX_HOPPING_WINDOWS_PER_RECORD) {
    return [
      {
        path: `${path}.advanceMs`,
        message: `must be at least sizeMs / ${MAX_HOPPING_WINDOWS_PER_RECORD}: each record would fall in more windows than that`,
      },
    ];
  }
  return [];
};

const validateMeasure = (measure: unknown, path: string, seen: Set<string>): FieldProblem[] => {
  if (!isObject(measure)) return [{ path, message: 'must be a measure: { name, fn, expression }' }];
  const problems: FieldProblem[] = [];
  const { name, fn, expression } = measure;
  if (!isFieldName(name)) {
    problems.push({ path: `${path}.name`, message: FIELD_NAME_MESSAGE });
  } else if (RESERVED_MEASURE_NAMES.includes(name)) {
    problems.push({
      path: `${path}.name`,
      message: `must not be ${RESERVED_MEASURE_NAMES.join(', ')}: the result record has those fields`,
    });
  } else if (seen.has(name)) {
    problems.push({ path: `${path}.name`, message: `"${name}" names another measure already` });
  } else {
    seen.add(name);
  }
  if (!MEASURE_FUNCTIONS.includes(fn as MeasureFunction)) {
    problems.push({ path: `${path}.fn`, message: `must be one of: ${MEASURE_FUNCTIONS.join(', ')}` });
  }
  // count counts records; every other function needs the value it works on.
  if (fn !== 'count' || expression != null) {
    problems.push(...validateCelExpression(expression, `${path}.expression`, 'amount'));
  }
  return problems;
};

/** Every problem of an aggregate step, located under `path` (such as `steps[3]`). */
export const validateAggregateStep = (step: AggregateStep, path: string): FieldProblem[] => {
  const problems = [
    ...validateWindow(step.window, `${path}.window`),
    ...validateCelExpression(step.key, `${path}.key`, 'customerId'),
  ];
  // Null counts as absent, as an Avro reader gives optional fields.
  if (step.eventTime != null) {
    problems.push(...validateCelExpression(step.eventTime, `${path}.eventTime`, 'occurredAt'));
  }
  if (step.allowedLatenessMs != null && !isDuration(step.allowedLatenessMs, 0)) {
    problems.push({ path: `${path}.allowedLatenessMs`, message: durationMessage(0) });
  }
  if (step.emit != null && !AGGREGATE_EMITS.includes(step.emit)) {
    problems.push({ path: `${path}.emit`, message: `must be one of: ${AGGREGATE_EMITS.join(', ')}` });
  }
  const { measures } = step;
  if (!Array.isArray(measures) || measures.length === 0 || measures.length > MAX_MEASURES) {
    problems.push({ path: `${path}.measures`, message: `must be a list of 1 to ${MAX_MEASURES} measures` });
    return problems;
  }
  const seen = new Set<string>();
  measures.forEach((measure, index) => {
    problems.push(...validateMeasure(measure, `${path}.measures[${index}]`, seen));
  });
  return problems;
};
