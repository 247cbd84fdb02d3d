import type { FieldProblem } from '../../errors.js';

// A record's top-level field: any name a JSON object can have, short of spaces and 128 characters.
const FIELD_NAME = /^[^\s]{1,128}$/;

export const FIELD_NAME_MESSAGE = 'must be a field name without spaces';

export const isFieldName = (name: unknown): name is string =>
  typeof name === 'string' && FIELD_NAME.test(name);

/**
 * The problems of a rename map at `path` (`steps[2].rename`): a key that is no field name
 * (reported at the map, since a key has no path of its own), a new name that is none, or two
 * fields renamed to the same name, which would leave one of them lost.
 */
export const validateRenames = (renames: Record<string, unknown>, path: string): FieldProblem[] => {
  const problems: FieldProblem[] = [];
  const targets = new Map<string, string>();
  for (const [from, to] of Object.entries(renames)) {
    if (!isFieldName(from)) problems.push({ path, message: `"${from}" is not a field name` });
    if (!isFieldName(to)) {
      problems.push({ path: `${path}.${from}`, message: FIELD_NAME_MESSAGE });
    } else if (targets.has(to)) {
      problems.push({
        path: `${path}.${from}`,
        message: `renames to "${to}", as "${targets.get(to)}" already does`,
      });
    } else {
      targets.set(to, from);
    }
  }
  return problems;
};

/** A record whose values a step reads by field, such as `{ amount: 'int' }`; anything else counts as empty. */
export const entriesOf = (value: unknown): [string, unknown][] =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? Object.entries(value) : [];
