import type { FieldProblem } from '../../errors.js';
import { validateCelExpression } from './celExpression.js';
import { entriesOf, FIELD_NAME_MESSAGE, isFieldName, validateRenames } from './fieldNames.js';

/**
 * Reshapes a record field by field. `rename` maps an incoming field name to its new name;
 * `drop` lists incoming fields left out. Both name fields of the incoming record, so their
 * order does not matter. `set` computes fields: each maps a field name to a CEL expression
 * over the incoming record (`amount * 100`, `country.upperAscii()`), and adds or replaces it.
 */
export interface MapStep {
  kind: 'map';
  rename: Record<string, string>;
  drop: string[];
  /** Absent in map steps saved before computed fields existed. */
  set?: Record<string, string>;
}

/** Every problem of a map step, located under `path` (such as `steps[2]`). */
export const validateMapStep = (step: MapStep, path: string): FieldProblem[] => {
  const rename = step.rename ?? {};
  const drop = step.drop ?? [];
  const set = entriesOf(step.set);
  const problems = validateRenames(rename, `${path}.rename`);
  drop.forEach((field, index) => {
    if (!isFieldName(field)) {
      problems.push({ path: `${path}.drop[${index}]`, message: FIELD_NAME_MESSAGE });
    } else if (Object.hasOwn(rename, field)) {
      problems.push({ path: `${path}.drop[${index}]`, message: `"${field}" is both renamed and dropped` });
    }
  });
  for (const [field, expr] of set) {
    if (!isFieldName(field))
      problems.push({ path: `${path}.set`, message: `"${field}" is not a field name` });
    problems.push(...validateCelExpression(expr, `${path}.set.${field}`, 'amount * 100'));
  }
  if (Object.keys(rename).length === 0 && drop.length === 0 && set.length === 0) {
    problems.push({ path, message: 'a map step must rename, drop or set at least one field' });
  }
  return problems;
};
