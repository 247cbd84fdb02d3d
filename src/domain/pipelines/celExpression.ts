import { ParseError, parse } from '@marcbachmann/cel-js';
import type { FieldProblem } from '../../errors.js';

export const MAX_EXPRESSION_LENGTH = 2000;

/** A CEL expression that parses and type-checks, with its type (`dyn` when it depends on the record). */
export type CheckedCelExpression =
  | { problem: FieldProblem; type?: undefined }
  | { problem?: undefined; type: string };

/**
 * Parses and type-checks `expr` as a Common Expression Language expression over a record's
 * fields, located at `path`: not a string or blank (the message shows `example`), too long,
 * a syntax error (with the parser's message and the character where it stopped), or a type
 * error such as `1 + "a"`. It is checked only to reject bad input early: the transform
 * engine compiles it once per version, and never evaluates user text as JavaScript.
 */
export const checkCelExpression = (expr: unknown, path: string, example: string): CheckedCelExpression => {
  if (typeof expr !== 'string' || expr.trim().length === 0) {
    return { problem: { path, message: `must be a CEL expression, such as ${example}` } };
  }
  if (expr.length > MAX_EXPRESSION_LENGTH) {
    return { problem: { path, message: `must be at most ${MAX_EXPRESSION_LENGTH} characters` } };
  }
  let checked: ReturnType<ReturnType<typeof parse>['check']>;
  try {
    checked = parse(expr).check();
  } catch (error) {
    if (!(error instanceof ParseError)) throw error;
    const where = error.range === undefined ? '' : ` (at character ${error.range.start + 1})`;
    return { problem: { path, message: `${error.summary}${where}` } };
  }
  if (!checked.valid) {
    return { problem: { path, message: checked.error?.summary ?? 'is not a valid CEL expression' } };
  }
  // Record fields are unknown until a record arrives, so the checker treats them as `dyn`.
  return { type: checked.type ?? 'dyn' };
};

/** The problems of a CEL expression whose value may be of any type, such as a lookup key. */
export const validateCelExpression = (expr: unknown, path: string, example: string): FieldProblem[] => {
  const { problem } = checkCelExpression(expr, path, example);
  return problem === undefined ? [] : [problem];
};
