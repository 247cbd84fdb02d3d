import type { FieldProblem } from '../../errors.js';

/**
 * A run's record counts since it started; they only ever grow. Every record that came `in`
 * went `out` to the sink, was `filtered` out by a step, was sent to the DLQ (`dlq`), or is
 * still in flight: in = out + filtered + dlq + inFlight, with inFlight never below zero.
 * `failed` counts records whose processing failed; after retries each ends in `out` or `dlq`,
 * so it is not a term of that sum.
 */
export interface RunCounts {
  in: number;
  out: number;
  filtered: number;
  failed: number;
  dlq: number;
}

/** What the processor reports at most every few seconds. */
export interface RunProgress {
  counts: RunCounts;
  /** Records the run is behind its source, summed over partitions. */
  lag: number;
  /** Where the run can resume: per source partition (such as `orders/0`), its position there. */
  checkpoint: Readonly<Record<string, string>>;
  /**
   * Processing latency of the records this report's process sent to the sink since its previous
   * report (source timestamp to sink write): average and maximum, in milliseconds. Absent when
   * none went out in that interval, and in every report recorded before it existed.
   */
  latency?: RunLatency | null;
}

export interface RunLatency {
  avgMs: number;
  maxMs: number;
}

const COUNT_NAMES = ['in', 'out', 'filtered', 'failed', 'dlq'] as const;
const MAX_CHECKPOINT_ENTRIES = 10_000;

const isCount = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;

/** Records that came in and have not come out anywhere yet. */
export const inFlightOf = (counts: RunCounts): number =>
  counts.in - counts.out - counts.filtered - counts.dlq;

/**
 * Every problem of a progress report given the one before it (`null` for the first): counts
 * that are not whole numbers, go backwards, or account for more records than came in.
 */
export const validateRunProgress = (progress: RunProgress, previous: RunCounts | null): FieldProblem[] => {
  const problems: FieldProblem[] = [];
  const counts = (progress.counts ?? {}) as Partial<RunCounts>;
  for (const name of COUNT_NAMES) {
    const value = counts[name];
    const before = previous?.[name] ?? 0;
    if (!isCount(value)) {
      problems.push({ path: `counts.${name}`, message: 'must be a whole number, 0 or more' });
    } else if (value < before) {
      problems.push({
        path: `counts.${name}`,
        message: `must not go back from ${before} to ${value}: counts are cumulative`,
      });
    }
  }
  if (problems.length === 0) {
    const { out, filtered, dlq } = counts as RunCounts;
    const accounted = out + filtered + dlq;
    if (accounted > (counts.in as number)) {
      problems.push({
        path: 'counts',
        message: `out + filtered + dlq is ${accounted}, more than the ${counts.in} records that came in`,
      });
    }
  }
  if (!isCount(progress.lag)) problems.push({ path: 'lag', message: 'must be a whole number, 0 or more' });
  problems.push(...validateCheckpoint(progress.checkpoint));
  if (progress.latency != null) problems.push(...validateLatency(progress.latency));
  return problems;
};

const isDuration = (value: unknown): value is number =>
  typeof value === 'number' && Number.isFinite(value) && value >= 0;

const validateLatency = (latency: unknown): FieldProblem[] => {
  if (typeof latency !== 'object' || latency === null || Array.isArray(latency)) {
    return [{ path: 'latency', message: 'must hold avgMs and maxMs' }];
  }
  const { avgMs, maxMs } = latency as Partial<RunLatency>;
  const problems: FieldProblem[] = [];
  if (!isDuration(avgMs))
    problems.push({ path: 'latency.avgMs', message: 'must be milliseconds, 0 or more' });
  if (!isDuration(maxMs))
    problems.push({ path: 'latency.maxMs', message: 'must be milliseconds, 0 or more' });
  if (problems.length === 0 && (avgMs as number) > (maxMs as number)) {
    problems.push({
      path: 'latency.avgMs',
      message: `must not exceed maxMs (${maxMs}): an average is at most the maximum`,
    });
  }
  return problems;
};

const validateCheckpoint = (checkpoint: unknown): FieldProblem[] => {
  if (typeof checkpoint !== 'object' || checkpoint === null || Array.isArray(checkpoint)) {
    return [{ path: 'checkpoint', message: 'must map each source partition to its position' }];
  }
  const entries = Object.entries(checkpoint);
  if (entries.length > MAX_CHECKPOINT_ENTRIES) {
    return [{ path: 'checkpoint', message: `must hold at most ${MAX_CHECKPOINT_ENTRIES} partitions` }];
  }
  return entries
    .filter(([, position]) => typeof position !== 'string' || position.length === 0)
    .map(([partition]) => ({ path: `checkpoint.${partition}`, message: 'must be a position, as text' }));
};
