import type { FieldProblem } from '../../errors.js';
import { entriesOf, isFieldName } from './fieldNames.js';

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

// A mapped type, so a type added to CastType does not compile until it is listed here.
const CAST_TYPE_SET: { [Type in CastType]: true } = {
  string: true,
  int: true,
  long: true,
  float: true,
  double: true,
  boolean: true,
  timestamp: true,
};

/** Every type a cast step converts to, in the order messages list them. */
export const CAST_TYPES = Object.keys(CAST_TYPE_SET) as readonly CastType[];

export const isCastType = (type: unknown): type is CastType =>
  typeof type === 'string' && Object.hasOwn(CAST_TYPE_SET, type);

/** Every problem of a cast step, located under `path`: no field, a name that is none, an unknown type. */
export const validateCastStep = (step: CastStep, path: string): FieldProblem[] => {
  const at = `${path}.fields`;
  const fields = entriesOf(step.fields);
  if (fields.length === 0) return [{ path: at, message: 'must cast at least one field' }];
  return fields.flatMap(([field, type]): FieldProblem[] => {
    if (!isFieldName(field)) return [{ path: at, message: `"${field}" is not a field name` }];
    if (!isCastType(type))
      return [{ path: `${at}.${field}`, message: `must be one of: ${CAST_TYPES.join(', ')}` }];
    return [];
  });
};
