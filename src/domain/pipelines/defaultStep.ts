import type { FieldProblem } from '../../errors.js';
import { entriesOf, isFieldName } from './fieldNames.js';

/** Sets each named field to its value when the record lacks it or holds null. Values are JSON. */
export interface DefaultStep {
  kind: 'default';
  values: Record<string, unknown>;
}

// A default is copied into every record it fills: a large one would bloat each of them.
const MAX_VALUE_LENGTH = 10_000;

const isPlainObject = (value: object) => {
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
};

/** Whether `value` is what JSON.parse can return: so it reads back from an event as it was given. */
const isJsonValue = (value: unknown): boolean => {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.every(isJsonValue);
  return typeof value === 'object' && isPlainObject(value) && Object.values(value).every(isJsonValue);
};

/**
 * Every problem of a default step, located under `path`: no field, a name that is none, a value
 * that is not JSON or whose JSON text is over 10 000 characters. A null default is allowed: it
 * makes a missing field present, as null.
 */
export const validateDefaultStep = (step: DefaultStep, path: string): FieldProblem[] => {
  const at = `${path}.values`;
  const values = entriesOf(step.values);
  if (values.length === 0) return [{ path: at, message: 'must give at least one field a default' }];
  return values.flatMap(([field, value]): FieldProblem[] => {
    if (!isFieldName(field)) return [{ path: at, message: `"${field}" is not a field name` }];
    if (!isJsonValue(value)) return [{ path: `${at}.${field}`, message: 'must be a JSON value' }];
    if (JSON.stringify(value).length > MAX_VALUE_LENGTH) {
      return [{ path: `${at}.${field}`, message: `must be at most ${MAX_VALUE_LENGTH} characters as JSON` }];
    }
    return [];
  });
};
