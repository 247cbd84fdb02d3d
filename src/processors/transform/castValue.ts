import type { CastType } from '../../domain/pipelines/pipelineDefinition.js';

const INT_MIN = -(2 ** 31);
const INT_MAX = 2 ** 31 - 1;
const WHOLE_NUMBER = /^[+-]?\d+$/;

/** A cast that cannot be made: the step turns it into a failure naming the field. */
export class CastImpossible extends Error {}

/** A number from a number or a string that is one ("12.5", " 3 "); undefined otherwise. */
const numberOf = (value: unknown): number | undefined => {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const parsed = Number(value);
  return Number.isFinite(parsed) ? parsed : undefined;
};

const wholeNumber = (value: unknown, min: number, max: number): number | undefined => {
  if (typeof value === 'string' && !WHOLE_NUMBER.test(value.trim())) return undefined;
  const number = numberOf(value);
  return number !== undefined && Number.isInteger(number) && number >= min && number <= max
    ? number
    : undefined;
};

const BOOLEANS: Record<string, boolean> = { true: true, false: false, '1': true, '0': false };

const castTo: { [Type in CastType]: (value: unknown) => unknown } = {
  string: (value) => (typeof value === 'object' ? JSON.stringify(value) : String(value)),
  // int is Avro's: 32 bits. A fraction is not truncated: "12.5" to int is a data error.
  int: (value) => wholeNumber(value, INT_MIN, INT_MAX),
  // long within ±2^53, where a JSON number is still exact.
  long: (value) => wholeNumber(value, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER),
  float: numberOf,
  double: numberOf,
  boolean: (value) => {
    if (typeof value === 'boolean') return value;
    if (value === 1 || value === 0) return value === 1;
    return typeof value === 'string' ? BOOLEANS[value.trim().toLowerCase()] : undefined;
  },
  // From epoch milliseconds or any string Date.parse reads; always out as ISO-8601 UTC.
  timestamp: (value) => {
    const time =
      typeof value === 'number' ? value : typeof value === 'string' ? Date.parse(value) : Number.NaN;
    const date = new Date(time);
    return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
  },
};

const ARTICLE: Record<CastType, string> = {
  string: 'a string',
  int: 'an int',
  long: 'a long',
  float: 'a float',
  double: 'a double',
  boolean: 'a boolean',
  timestamp: 'a timestamp',
};

/** `value` as `type`; null and undefined stay as they are. Throws CastImpossible. */
export const castValue = (value: unknown, type: CastType): unknown => {
  if (value === null || value === undefined) return value;
  const cast = castTo[type](value);
  if (cast === undefined) throw new CastImpossible(`is not ${ARTICLE[type]}`);
  return cast;
};
