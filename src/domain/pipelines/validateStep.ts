import type { FieldProblem } from '../../errors.js';
import { validateAvroRecordSchema } from './avroRecordSchema.js';

/**
 * Passes a record only when it is valid for the Avro schema (JSON text); an invalid one goes
 * to the DLQ with the path of the first field that does not fit.
 */
export interface ValidateStep {
  kind: 'validate';
  schema: string;
}

/** Every problem of a validate step: its schema, at `<path>.schema`, must be an Avro record schema. */
export const validateValidateStep = (step: ValidateStep, path: string): FieldProblem[] =>
  validateAvroRecordSchema(step.schema, `${path}.schema`);
