import type { FieldProblem } from '../../errors.js';
import { checkCelExpression } from './celExpression.js';

/**
 * Keeps the records for which `expr` is true; the others are counted as filtered, not lost.
 * `expr` is a Common Expression Language (CEL) expression over the record's top-level fields,
 * such as `amount > 10 && country == "DE"`. It is parsed here only to reject bad input early;
 * the transform engine compiles it once per version, and never evaluates user text as JavaScript.
 */
export interface FilterStep {
  kind: 'filter';
  expr: string;
}

// Record fields are unknown until a record arrives, so the checker treats every variable as
// `dyn`: an expression that can only be true or false for some records is still accepted.
const CONDITION_TYPES: readonly string[] = ['bool', 'dyn'];

/**
 * Every problem of a filter step, located at `<path>.expr`: those of any CEL expression
 * (see `checkCelExpression`), or an expression that is never true or false, such as `amount + 1`.
 */
export const validateFilterStep = (step: FilterStep, path: string): FieldProblem[] => {
  const at = `${path}.expr`;
  const checked = checkCelExpression(step.expr, at, 'amount > 10');
  if (checked.problem !== undefined) return [checked.problem];
  if (!CONDITION_TYPES.includes(checked.type)) {
    return [{ path: at, message: `must be true or false for a record, but its type is ${checked.type}` }];
  }
  return [];
};
