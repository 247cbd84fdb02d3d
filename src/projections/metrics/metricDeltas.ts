import type { RunCounts, RunEvent, RunLatency } from '../../domain/runs/run.js';
import type { RecordedEvent } from '../../infra/eventstore/eventStore.js';

/** What the projection remembers of a run: its pipeline and the counts of its latest report. */
export interface MetricsRun {
  runId: string;
  pipelineId: string;
  counts: MetricCounts;
  lastPosition: number;
}

export type MetricCounts = Pick<RunCounts, 'in' | 'out' | 'failed' | 'dlq'>;

/** One report turned into what happened since the run's previous one. */
export interface MetricDelta {
  pipelineId: string;
  /** The report's time, in ms since the epoch: it decides the bucket. */
  at: number;
  counts: MetricCounts;
  lag: number;
  /** The interval's latency and its weight: the records that went out in the interval (at least 1). */
  latency: (RunLatency & { weight: number }) | null;
}

const COUNT_NAMES = ['in', 'out', 'failed', 'dlq'] as const;
export const ZERO_COUNTS: MetricCounts = { in: 0, out: 0, failed: 0, dlq: 0 };

/**
 * Folds a batch of run events into deltas, in order, updating `runs` (by run id) as it goes.
 * Counts in a report are cumulative per run, so a delta is the difference from the run's
 * previous report; a run's first report counts whole, which is also what a restarted pipeline
 * (a new run, counting from 0) gives. A count lower than before cannot pass the run decider, but
 * were one to arrive it would be read as a restart from 0 rather than as negative records. An
 * event at or before the run's last position was seen already and yields nothing: redelivery is
 * harmless. A report of a run whose request is unknown (requested before the projection's
 * history, say) is skipped, for it names no pipeline.
 */
export const foldRunEvents = (
  runs: Map<string, MetricsRun>,
  events: readonly (RecordedEvent & RunEvent)[],
): { deltas: MetricDelta[]; changedRuns: Set<string> } => {
  const deltas: MetricDelta[] = [];
  const changedRuns = new Set<string>();
  for (const event of events) {
    if (event.type === 'RunRequested') {
      const { runId, pipelineId } = event.data;
      if (runs.has(runId)) continue;
      runs.set(runId, { runId, pipelineId, counts: { ...ZERO_COUNTS }, lastPosition: event.position });
      changedRuns.add(runId);
    } else if (event.type === 'RunProgressRecorded') {
      const run = runs.get(event.data.runId);
      if (!run || event.position <= run.lastPosition) continue;
      const counts = {} as MetricCounts;
      for (const name of COUNT_NAMES) {
        const now = event.data.counts[name];
        const before = run.counts[name];
        counts[name] = now >= before ? now - before : now;
      }
      const latency = event.data.latency ?? null;
      deltas.push({
        pipelineId: run.pipelineId,
        at: Date.parse(event.data.recordedAt),
        counts,
        lag: event.data.lag,
        latency: latency && { avgMs: latency.avgMs, maxMs: latency.maxMs, weight: Math.max(1, counts.out) },
      });
      run.counts = Object.fromEntries(
        COUNT_NAMES.map((name) => [name, event.data.counts[name]]),
      ) as MetricCounts;
      run.lastPosition = event.position;
      changedRuns.add(run.runId);
    }
  }
  return { deltas, changedRuns };
};
