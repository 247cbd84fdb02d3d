import type { FieldProblem } from '../../errors.js';
import { validateCelExpression } from './celExpression.js';

/**
 * Drops a record whose key (a CEL expression over the record, such as `orderId`) was already
 * seen on its partition within `withinMs` of record time; the dropped ones count as filtered.
 */
export interface DedupeStep {
  kind: 'dedupe';
  key: string;
  withinMs: number;
}

// The keys seen are kept for the whole window: a longer one would hold too many.
export const MAX_DEDUPE_WINDOW_MS = 7 * 24 * 60 * 60 * 1000;

/** Every problem of a dedupe step, located under `path`: its key expression and its window. */
export const validateDedupeStep = (step: DedupeStep, path: string): FieldProblem[] => {
  const problems = validateCelExpression(step.key, `${path}.key`, 'orderId');
  const { withinMs } = step;
  if (!Number.isInteger(withinMs) || withinMs < 1 || withinMs > MAX_DEDUPE_WINDOW_MS) {
    problems.push({
      path: `${path}.withinMs`,
      message: `must be a whole number of milliseconds from 1 to ${MAX_DEDUPE_WINDOW_MS} (7 days)`,
    });
  }
  return problems;
};
