/**
 * Passes a record only when it is valid for the Avro schema (JSON text); an invalid one goes
 * to the DLQ with the path of the first field that does not fit.
 */
export interface ValidateStep {
  kind: 'validate';
  schema: string;
}
