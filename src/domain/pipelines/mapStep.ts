import type { FieldProblem } from '../../errors.js';

/**
 * Reshapes a record field by field. `rename` maps an incoming field name to its new name;
 * `drop` lists incoming fields left out. Both name fields of the incoming record, so their
 * order does not matter. `set` computes fields: each maps a field name to a CEL expression
 * over the incoming record (`amount * 100`, `upper(country)`), and adds or replaces it.
 */
export interface MapStep {
  kind: 'map';
  rename: Record<string, string>;
  drop: string[];
  /** Absent in map steps saved before computed fields existed. */
  set?: Record<string, string>;
}

const FIELD_NAME = /^[^\s]{1,128}$/;

/** Every problem of a map step, located under `path` (such as `steps[2]`). */
export const validateMapStep = (step: MapStep, path: string): FieldProblem[] => {
  const problems: FieldProblem[] = [];
  const targets = new Map<string, string>();
  for (const [from, to] of Object.entries(step.rename ?? {})) {
    if (!FIELD_NAME.test(from))
      problems.push({ path: `${path}.rename`, message: `"${from}" is not a field name` });
    if (typeof to !== 'string' || !FIELD_NAME.test(to)) {
      problems.push({ path: `${path}.rename.${from}`, message: 'must be a field name without spaces' });
    } else if (targets.has(to)) {
      problems.push({
        path: `${path}.rename.${from}`,
        message: `renames to "${to}", as "${targets.get(to)}" already does`,
      });
    } else {
      targets.set(to, from);
    }
  }
  (step.drop ?? []).forEach((field, index) => {
    if (typeof field !== 'string' || !FIELD_NAME.test(field)) {
      problems.push({ path: `${path}.drop[${index}]`, message: 'must be a field name without spaces' });
    } else if (Object.hasOwn(step.rename ?? {}, field)) {
      problems.push({ path: `${path}.drop[${index}]`, message: `"${field}" is both renamed and dropped` });
    }
  });
  if (Object.keys(step.rename ?? {}).length === 0 && (step.drop ?? []).length === 0) {
    problems.push({ path, message: 'a map step must rename or drop at least one field' });
  }
  return problems;
};
