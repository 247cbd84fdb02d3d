import type { RunCounts } from '../../domain/runs/run.js';
import { type FieldProblem, ValidationError } from '../../errors.js';

export interface RecordRunProgressInput {
  runId: string;
  counts: RunCounts;
  lag: number;
  checkpoint?: { partition: string; position: string }[] | null;
}

/**
 * GraphQL's list of partition positions as the domain's map. Only what the list shape allows
 * and a map cannot hold is checked here (a partition listed twice); the domain checks the rest.
 */
export const toCheckpoint = (
  entries: readonly { partition: string; position: string }[],
): Record<string, string> => {
  const problems: FieldProblem[] = [];
  const seen = new Set<string>();
  entries.forEach(({ partition }, index) => {
    if (seen.has(partition)) {
      problems.push({ path: `checkpoint[${index}].partition`, message: `"${partition}" is listed twice` });
    }
    seen.add(partition);
  });
  if (problems.length > 0) throw new ValidationError(problems);
  return Object.fromEntries(entries.map(({ partition, position }) => [partition, position]));
};
