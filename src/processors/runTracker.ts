import type pg from 'pg';
import { type RunCommand, type RunState, runDecider } from '../domain/runs/run.js';
import type { RunCounts } from '../domain/runs/runProgress.js';
import { TributaryError, ValidationError } from '../errors.js';
import type { EventStore } from '../infra/eventstore/eventStore.js';
import type { StreamSnapshot } from '../infra/eventstore/handleCommand.js';
import type { Log } from '../infra/log/log.js';
import { pipelineLag } from '../infra/metrics/metrics.js';
import type { Logger } from '../logger.js';
import type { BatchLatency, BatchOutcome } from './pipelineProcessor.js';
import { sendRunCommand } from './sendRunCommand.js';

export interface RunTrackerOptions {
  pool: pg.Pool;
  eventStore: EventStore;
  log: Log;
  logger: Logger;
  runId: string;
  pipelineId: string;
  /** The consumer group and source topic whose lag the run reports. */
  groupId: string;
  sourceTopic: string;
  /** How often progress is recorded; every 2 s by default. */
  intervalMs?: number;
  now?: () => Date;
}

export interface RunTracker {
  /** Adds a committed batch's counts; they reach the run's stream at the next report. */
  add(outcome: BatchOutcome): void;
  /** Writes the counts so far and records progress, when anything changed since the last report. */
  report(): Promise<void>;
  /** Stops reporting; the counts so far are written and recorded first. */
  stop(): Promise<void>;
  /** Records the final progress and completes the run. */
  complete(): Promise<void>;
}

const COUNT_COLUMNS = ['in', 'out', 'filtered', 'failed', 'dlq'] as const;
const NO_LATENCY: BatchLatency = { sum: 0, max: 0, count: 0 };
const addLatency = (a: BatchLatency, b: BatchLatency): BatchLatency => ({
  sum: a.sum + b.sum,
  max: Math.max(a.max, b.max),
  count: a.count + b.count,
});

/**
 * Keeps a run's progress: every process that handles batches of the run adds its counts to
 * `run_partition_counts`, and records a `RunProgressRecorded` event with the sums and the
 * consumer group's lag every few seconds. Processes report concurrently without harm: a report
 * that would move a count backwards, or that lost the race for the stream, is dropped, and the
 * next one carries the sums. Counts are at least once, like delivery: a batch processed again
 * after a crash is counted again, and a process killed between reports loses its last counts.
 */
export const createRunTracker = (options: RunTrackerOptions): RunTracker => {
  const { pool, eventStore, log, logger, runId, pipelineId } = options;
  const now = options.now ?? (() => new Date());
  const pending = new Map<number, RunCounts>();
  // This process's latency since its last recorded report; the next report carries it.
  let latency: BatchLatency = NO_LATENCY;
  let lastReported = '';
  let reporting: Promise<void> = Promise.resolve();

  const flush = async () => {
    if (pending.size === 0) return;
    const rows = [...pending];
    pending.clear();
    await pool.query(
      `INSERT INTO run_partition_counts
         (run_id, topic, partition, records_in, records_out, records_filtered, records_failed, records_dlq)
       SELECT $1, $2, p, i, o, f, x, d
       FROM unnest($3::int[], $4::bigint[], $5::bigint[], $6::bigint[], $7::bigint[], $8::bigint[])
         AS t(p, i, o, f, x, d)
       ON CONFLICT (run_id, topic, partition) DO UPDATE SET
         records_in = run_partition_counts.records_in + EXCLUDED.records_in,
         records_out = run_partition_counts.records_out + EXCLUDED.records_out,
         records_filtered = run_partition_counts.records_filtered + EXCLUDED.records_filtered,
         records_failed = run_partition_counts.records_failed + EXCLUDED.records_failed,
         records_dlq = run_partition_counts.records_dlq + EXCLUDED.records_dlq`,
      [
        runId,
        options.sourceTopic,
        rows.map(([partition]) => partition),
        ...COUNT_COLUMNS.map((name) => rows.map(([, counts]) => counts[name])),
      ],
    );
  };

  const totals = async (): Promise<RunCounts> => {
    const { rows } = await pool.query(
      `SELECT coalesce(sum(records_in), 0)::bigint AS "in", coalesce(sum(records_out), 0)::bigint AS out,
              coalesce(sum(records_filtered), 0)::bigint AS filtered,
              coalesce(sum(records_failed), 0)::bigint AS failed, coalesce(sum(records_dlq), 0)::bigint AS dlq
       FROM run_partition_counts WHERE run_id = $1`,
      [runId],
    );
    const row = rows[0] ?? {};
    return Object.fromEntries(
      COUNT_COLUMNS.map((name) => [name, Number(row[name] ?? 0)]),
    ) as unknown as RunCounts;
  };

  const position = async () => {
    const [end, committed] = await Promise.all([
      log.endOffsets(options.sourceTopic),
      log.committedOffsets(options.groupId, options.sourceTopic),
    ]);
    let lag = 0;
    const checkpoint: Record<string, string> = {};
    for (const [partition, next] of end) {
      const at = committed.get(partition);
      if (at !== undefined) checkpoint[`${options.sourceTopic}/${partition}`] = String(at);
      lag += Math.max(0, next - (at ?? 0));
    }
    return { lag, checkpoint };
  };

  // Progress is recorded all day long: each report reads only the run's events since the last.
  const snapshot: StreamSnapshot<RunState> = { state: runDecider.initialState, revision: null };
  const send = (command: RunCommand) => sendRunCommand(eventStore, runId, command, { snapshot });

  const reportNow = async () => {
    await flush();
    const [counts, { lag, checkpoint }] = await Promise.all([totals(), position()]);
    pipelineLag.labels({ pipeline_id: pipelineId }).set(lag);
    const fingerprint = JSON.stringify([counts, lag]);
    if (fingerprint === lastReported) return;
    // Taken now, so batches added while the report is on its way count in the next one.
    const interval = latency;
    latency = NO_LATENCY;
    try {
      const recordedAt = now().toISOString();
      await send({
        type: 'RecordRunProgress',
        data: {
          runId,
          counts,
          lag,
          checkpoint,
          recordedAt,
          ...(interval.count > 0 && {
            latency: { avgMs: interval.sum / interval.count, maxMs: interval.max },
          }),
        },
      });
      lastReported = fingerprint;
    } catch (error) {
      // Another process recorded newer sums first, or the run ended: the next report says more.
      // A refused report's latency is dropped rather than carried: were it what the domain
      // refused, carrying it would refuse every report after it, counts and all.
      if (!(error instanceof ValidationError)) latency = addLatency(latency, interval);
      if (!(error instanceof TributaryError || error instanceof ValidationError)) throw error;
      logger.debug({ err: error, runId }, 'run progress not recorded');
    }
  };

  // Reports run one at a time, in order, whoever asks.
  const report = () => {
    reporting = reporting.then(reportNow, reportNow);
    return reporting;
  };

  const timer = setInterval(
    () => void report().catch((error: unknown) => logger.warn({ err: error, runId }, 'run progress failed')),
    options.intervalMs ?? 2_000,
  );
  timer.unref();

  return {
    add(outcome) {
      const counts = pending.get(outcome.partition) ?? { in: 0, out: 0, filtered: 0, failed: 0, dlq: 0 };
      for (const name of COUNT_COLUMNS) counts[name] += outcome.counts[name];
      pending.set(outcome.partition, counts);
      if (outcome.latencyMs.count > 0) latency = addLatency(latency, outcome.latencyMs);
    },
    report,
    async stop() {
      clearInterval(timer);
      await report();
    },
    async complete() {
      clearInterval(timer);
      await report();
      try {
        await send({ type: 'CompleteRun', data: { runId, completedAt: now().toISOString() } });
      } catch (error) {
        // Completed already (by another process of the run), or records of another process are
        // still in flight: that process completes it when it stops.
        if (!(error instanceof TributaryError)) throw error;
        logger.info({ runId, code: error.code }, 'run not completed here');
      }
    },
  };
};
