import type { FieldProblem } from '../../errors.js';
import { FIELD_NAME_MESSAGE, isFieldName } from './fieldNames.js';

/** Leaves the named top-level fields out of each record. */
export interface DropStep {
  kind: 'drop';
  fields: string[];
}

/** Every problem of a drop step, located under `path`: no field, a name that is none, or one named twice. */
export const validateDropStep = (step: DropStep, path: string): FieldProblem[] => {
  const at = `${path}.fields`;
  if (!Array.isArray(step.fields) || step.fields.length === 0) {
    return [{ path: at, message: 'must name at least one field' }];
  }
  const seen = new Set<string>();
  return step.fields.flatMap((field, index): FieldProblem[] => {
    if (!isFieldName(field)) return [{ path: `${at}[${index}]`, message: FIELD_NAME_MESSAGE }];
    if (seen.has(field)) return [{ path: `${at}[${index}]`, message: `"${field}" is dropped twice` }];
    seen.add(field);
    return [];
  });
};
