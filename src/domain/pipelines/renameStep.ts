import type { FieldProblem } from '../../errors.js';
import { entriesOf, validateRenames } from './fieldNames.js';

/** Gives fields new names, in place; fields not named pass through. `fields` maps old name → new name. */
export interface RenameStep {
  kind: 'rename';
  fields: Record<string, string>;
}

/** Every problem of a rename step, located under `path`: the names, and two fields renamed alike. */
export const validateRenameStep = (step: RenameStep, path: string): FieldProblem[] => {
  const fields = Object.fromEntries(entriesOf(step.fields));
  if (Object.keys(fields).length === 0) {
    return [{ path: `${path}.fields`, message: 'must rename at least one field' }];
  }
  return validateRenames(fields, `${path}.fields`);
};
