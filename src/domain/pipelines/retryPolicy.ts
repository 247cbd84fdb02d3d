import type { FieldProblem } from '../../errors.js';
import type { RetryPolicy } from './pipelineDefinition.js';

const LIMITS = {
  maxAttempts: { min: 1, max: 20, unit: 'attempts' },
  backoffMs: { min: 0, max: 60_000, unit: 'milliseconds' },
  maxBackoffMs: { min: 0, max: 600_000, unit: 'milliseconds' },
} as const;

/**
 * Every problem of a retry policy at `path` (`retry`): each bound a whole number in its range,
 * and the longest wait no shorter than the first, since waits only grow.
 */
export const validateRetryPolicy = (retry: RetryPolicy, path: string): FieldProblem[] => {
  if (typeof retry !== 'object' || retry === null) {
    return [{ path, message: 'must give maxAttempts, backoffMs and maxBackoffMs' }];
  }
  const problems: FieldProblem[] = [];
  for (const [field, { min, max, unit }] of Object.entries(LIMITS)) {
    const value = retry[field as keyof RetryPolicy];
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push({
        path: `${path}.${field}`,
        message: `must be a whole number of ${unit} from ${min} to ${max}`,
      });
    }
  }
  if (problems.length === 0 && retry.maxBackoffMs < retry.backoffMs) {
    problems.push({
      path: `${path}.maxBackoffMs`,
      message: `must be at least backoffMs (${retry.backoffMs})`,
    });
  }
  return problems;
};
