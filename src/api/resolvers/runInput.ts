import type { RunCounts, RunKind } from '../../domain/runs/run.js';
import { type FieldProblem, ValidationError } from '../../errors.js';

export interface RecordRunProgressInput {
  runId: string;
  counts: RunCounts;
  lag: number;
  checkpoint?: { partition: string; position: string }[] | null;
}

/** Where a run starts, as the run inputs say it: at most one of the two. */
export interface StartFromInput {
  fromTimestamp?: string | null;
  fromOffset?: number | null;
}

export interface RequestRunInput extends StartFromInput {
  pipelineId: string;
  version?: number | null;
  kind?: RunKind | null;
}

/**
 * The domain's problems with `startFrom` under the name of the input field that gave it, so a
 * client sees `fromOffset: must be a whole number, 0 or more` for the field it sent.
 */
export const withStartFromPaths = async <T>(input: StartFromInput, send: () => Promise<T>): Promise<T> => {
  try {
    return await send();
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    const field = input.fromTimestamp != null ? 'fromTimestamp' : 'fromOffset';
    throw new ValidationError(
      error.problems.map((problem) =>
        problem.path === 'startFrom' || problem.path.startsWith('startFrom.')
          ? { ...problem, path: field }
          : problem,
      ),
    );
  }
};

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
