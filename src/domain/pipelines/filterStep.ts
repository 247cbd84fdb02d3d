import { ParseError, parse } from '@marcbachmann/cel-js';
import type { FieldProblem } from '../../errors.js';

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

const MAX_EXPRESSION_LENGTH = 2000;

// Record fields are unknown until a record arrives, so the checker treats every variable as
// `dyn`: an expression that can only be true or false for some records is still accepted.
const CONDITION_TYPES: readonly string[] = ['bool', 'dyn'];

/**
 * Every problem of a filter step, located at `<path>.expr`: not a string, too long, a syntax
 * error (with the parser's message and the character where it stopped), a type error such
 * as `1 + "a"`, or an expression that is never true or false, such as `amount + 1`.
 */
export const validateFilterStep = (step: FilterStep, path: string): FieldProblem[] => {
  const at = `${path}.expr`;
  const { expr } = step;
  if (typeof expr !== 'string' || expr.trim().length === 0) {
    return [{ path: at, message: 'must be a CEL expression, such as amount > 10' }];
  }
  if (expr.length > MAX_EXPRESSION_LENGTH) {
    return [{ path: at, message: `must be at most ${MAX_EXPRESSION_LENGTH} characters` }];
  }
  let checked: ReturnType<ReturnType<typeof parse>['check']>;
  try {
    checked = parse(expr).check();
  } catch (error) {
    if (!(error instanceof ParseError)) throw error;
    const where = error.range === undefined ? '' : ` (at character ${error.range.start + 1})`;
    return [{ path: at, message: `${error.summary}${where}` }];
  }
  if (!checked.valid) {
    return [{ path: at, message: checked.error?.summary ?? 'is not a valid CEL expression' }];
  }
  if (checked.type !== undefined && !CONDITION_TYPES.includes(checked.type)) {
    return [{ path: at, message: `must be true or false for a record, but its type is ${checked.type}` }];
  }
  return [];
};
