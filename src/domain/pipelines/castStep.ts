/**
 * Converts fields to a type; a value that cannot be converted ("abc" to int) fails the record,
 * which goes to the DLQ naming the field. A missing or null field stays as it is.
 */
export interface CastStep {
  kind: 'cast';
  fields: Record<string, CastType>;
}

/** int and long are whole numbers (long within ±2^53); timestamp is an ISO-8601 instant. */
export type CastType = 'string' | 'int' | 'long' | 'float' | 'double' | 'boolean' | 'timestamp';
