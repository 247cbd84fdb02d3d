import { type FieldProblem, ValidationError } from '../../errors.js';

/**
 * Where a batch run starts reading its source: the first record at or after an instant on each
 * partition, or the same offset on every partition. A run without one starts at the earliest
 * record. A streaming run always follows its pipeline's consumer group, so it takes none.
 */
export type RunStartFrom = { timestamp: string } | { offset: number };

// ISO-8601 as the API's DateTime has it: a date and a time, with a zone.
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i;

/** An ISO-8601 instant that names a real day (Date.parse takes 2026-02-30 as March 2nd). */
const isInstant = (value: unknown): boolean => {
  if (typeof value !== 'string' || !ISO_INSTANT.test(value) || Number.isNaN(Date.parse(value))) return false;
  const [year, month, day] = value.slice(0, 10).split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
};

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Every problem of `startFrom` for a run of `kind`, located under `startFrom`. The value comes
 * from outside (a command built from input), so nothing about its shape is taken for granted.
 */
export const validateStartFrom = (startFrom: unknown, kind: string): FieldProblem[] => {
  if (startFrom === undefined || startFrom === null) return [];
  if (kind === 'streaming') {
    return [{ path: 'startFrom', message: 'only a batch run can start from a time or an offset' }];
  }
  if (!isObject(startFrom) || Object.keys(startFrom).length !== 1) {
    return [{ path: 'startFrom', message: 'must be either a timestamp or an offset, not both' }];
  }
  if ('timestamp' in startFrom) {
    return isInstant(startFrom.timestamp)
      ? []
      : [
          {
            path: 'startFrom.timestamp',
            message: 'must be an ISO-8601 instant, such as 2026-03-01T09:00:00Z',
          },
        ];
  }
  if ('offset' in startFrom) {
    const { offset } = startFrom;
    return Number.isSafeInteger(offset) && (offset as number) >= 0
      ? []
      : [{ path: 'startFrom.offset', message: 'must be a whole number, 0 or more' }];
  }
  return [{ path: 'startFrom', message: 'must be either a timestamp or an offset' }];
};

/** A valid `startFrom` as the event records it: the instant in UTC, to the millisecond. */
export const normalizeStartFrom = (startFrom: RunStartFrom): RunStartFrom =>
  'timestamp' in startFrom
    ? { timestamp: new Date(startFrom.timestamp).toISOString() }
    : { offset: startFrom.offset };

/**
 * The `startFrom` of operator input that names at most one of `fromTimestamp` and `fromOffset`
 * (GraphQL arguments, CLI options): undefined for neither, a ValidationError naming both fields
 * for both. The decider validates the value itself.
 */
export const startFromOf = (input: {
  fromTimestamp?: string | null;
  fromOffset?: number | null;
}): RunStartFrom | undefined => {
  const { fromTimestamp, fromOffset } = input;
  const hasTimestamp = fromTimestamp !== undefined && fromTimestamp !== null;
  const hasOffset = fromOffset !== undefined && fromOffset !== null;
  if (hasTimestamp && hasOffset) {
    const message = 'give fromTimestamp or fromOffset, not both';
    throw new ValidationError([
      { path: 'fromTimestamp', message },
      { path: 'fromOffset', message },
    ]);
  }
  if (hasTimestamp) return { timestamp: fromTimestamp };
  if (hasOffset) return { offset: fromOffset };
  return undefined;
};
