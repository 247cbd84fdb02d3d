import avro from 'avsc';
import type { FieldProblem } from '../../errors.js';

// The schema travels in every event that carries the definition, and is parsed per version.
const MAX_SCHEMA_LENGTH = 100_000;

/**
 * The problems of `schema` at `path`: it must be the JSON text of a named Avro record schema,
 * as avsc parses it (the transform engine reads and writes records with the same library).
 * Reports the JSON parser's or avsc's own message, so the author sees what to fix.
 */
export const validateAvroRecordSchema = (schema: unknown, path: string): FieldProblem[] => {
  if (typeof schema !== 'string' || schema.trim().length === 0) {
    return [{ path, message: 'must be an Avro record schema, as JSON text' }];
  }
  if (schema.length > MAX_SCHEMA_LENGTH) {
    return [{ path, message: `must be at most ${MAX_SCHEMA_LENGTH} characters` }];
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(schema);
  } catch (error) {
    return [{ path, message: `is not JSON: ${(error as Error).message}` }];
  }
  let type: avro.Type;
  try {
    type = avro.Type.forSchema(parsed as avro.Schema);
  } catch (error) {
    return [{ path, message: `is not a valid Avro schema: ${(error as Error).message}` }];
  }
  if (type.typeName !== 'record') {
    return [{ path, message: `must be an Avro record schema, not ${type.typeName}` }];
  }
  if (type.name === undefined) return [{ path, message: 'must name its record, as Avro requires' }];
  return [];
};
