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
