import type { FieldProblem } from '../../errors.js';
import { validateCelExpression } from './celExpression.js';
import { FIELD_NAME_MESSAGE, isFieldName } from './fieldNames.js';

/**
 * Looks a value up by a key computed from the record (`key`, a CEL expression) and puts what it
 * finds in the field `into`. Lookups are cached for `cacheTtlMs`. When nothing is found,
 * `onMissing` says what happens: `null` sets the field to null, `skip` leaves the record as it
 * is, `fail` sends it to the DLQ.
 */
export interface EnrichStep {
  kind: 'enrich';
  lookup: EnrichLookup;
  key: string;
  into: string;
  cacheTtlMs: number;
  onMissing: 'null' | 'skip' | 'fail';
}

/**
 * Redis: the JSON text at `<keyPrefix><key>`. PostgreSQL: the row of `table` (in the platform's
 * database and schema) whose `keyColumn` equals the key, as a JSON object.
 */
export type EnrichLookup =
  | { redis: { keyPrefix: string } }
  | { postgres: { table: string; keyColumn: string } };

export const ON_MISSING: readonly EnrichStep['onMissing'][] = ['null', 'skip', 'fail'];
export const MAX_CACHE_TTL_MS = 86_400_000;
const MAX_KEY_PREFIX_LENGTH = 256;

// PostgreSQL's unquoted identifiers (63 bytes at most), so the engine can quote them safely.
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;
const IDENTIFIER_MESSAGE = 'must be a letter or _, then up to 62 letters, digits or _';

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const validateLookup = (lookup: unknown, path: string): FieldProblem[] => {
  const redis = isObject(lookup) ? lookup.redis : undefined;
  const postgres = isObject(lookup) ? lookup.postgres : undefined;
  if ((redis === undefined) === (postgres === undefined)) {
    return [{ path, message: 'set exactly one lookup: redis or postgres' }];
  }
  if (redis !== undefined) {
    const keyPrefix = isObject(redis) ? redis.keyPrefix : undefined;
    if (typeof keyPrefix !== 'string' || keyPrefix.length === 0 || keyPrefix.length > MAX_KEY_PREFIX_LENGTH) {
      return [
        { path: `${path}.redis.keyPrefix`, message: `must be 1 to ${MAX_KEY_PREFIX_LENGTH} characters` },
      ];
    }
    return [];
  }
  const { table, keyColumn } = isObject(postgres) ? postgres : {};
  const problems: FieldProblem[] = [];
  const parts = typeof table === 'string' ? table.split('.') : [];
  if (parts.length < 1 || parts.length > 2 || !parts.every((part) => IDENTIFIER.test(part))) {
    problems.push({
      path: `${path}.postgres.table`,
      message: `must be a table or schema.table; each ${IDENTIFIER_MESSAGE}`,
    });
  }
  if (typeof keyColumn !== 'string' || !IDENTIFIER.test(keyColumn)) {
    problems.push({ path: `${path}.postgres.keyColumn`, message: IDENTIFIER_MESSAGE });
  }
  return problems;
};

/** Every problem of an enrich step, located under `path` (such as `steps[2]`). */
export const validateEnrichStep = (step: EnrichStep, path: string): FieldProblem[] => {
  const problems = [
    ...validateLookup(step.lookup, `${path}.lookup`),
    ...validateCelExpression(step.key, `${path}.key`, 'customerId'),
  ];
  if (!isFieldName(step.into)) problems.push({ path: `${path}.into`, message: FIELD_NAME_MESSAGE });
  const { cacheTtlMs } = step;
  if (!Number.isInteger(cacheTtlMs) || cacheTtlMs < 0 || cacheTtlMs > MAX_CACHE_TTL_MS) {
    problems.push({
      path: `${path}.cacheTtlMs`,
      message: `must be a whole number of milliseconds from 0 (no cache) to ${MAX_CACHE_TTL_MS} (a day)`,
    });
  }
  if (!ON_MISSING.includes(step.onMissing)) {
    problems.push({ path: `${path}.onMissing`, message: `must be one of: ${ON_MISSING.join(', ')}` });
  }
  return problems;
};
