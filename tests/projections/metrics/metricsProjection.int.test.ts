import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunCounts, RunEvent, RunLatency } from '../../../src/domain/runs/run.js';
import type { RecordedEvent } from '../../../src/infra/eventstore/eventStore.js';
import { createMetricsProjection } from '../../../src/projections/metrics/metricsProjection.js';
import { readPipelineMetrics } from '../../../src/projections/metrics/metricsQueries.js';
import { projectionTestBed } from '../projectionTestBed.js';

const DAY = 86_400;
const metricsProjection = createMetricsProjection({ tenSeconds: 2 * DAY, minute: 30 * DAY, hour: 365 * DAY });
const bed = projectionTestBed(metricsProjection);
beforeAll(bed.setUp);
afterAll(bed.tearDown);

/** An instant on 1 January 2026, `h:m:s` after midnight UTC. */
const T = (h: number, m: number, s: number) => new Date(Date.UTC(2026, 0, 1, h, m, s)).toISOString();

const requested = (runId: string, pipelineId: string): RunEvent => ({
  type: 'RunRequested',
  data: { runId, pipelineId, version: 1, kind: 'streaming', requestedAt: T(0, 0, 0) },
});
const started = (runId: string): RunEvent => ({ type: 'RunStarted', data: { runId, startedAt: T(0, 0, 0) } });
const progress = (
  runId: string,
  at: string,
  counts: Partial<RunCounts>,
  lag: number,
  latency?: RunLatency,
): RunEvent => {
  const c = { in: 0, out: 0, filtered: 0, failed: 0, dlq: 0, ...counts };
  return {
    type: 'RunProgressRecorded',
    data: {
      runId,
      counts: c,
      inFlight: c.in - c.out - c.filtered - c.dlq,
      lag,
      checkpoint: {},
      recordedAt: at,
      ...(latency && { latency }),
    },
  };
};

const buckets = async (table: string, pipelineId: string) =>
  (
    await bed.pool.query(
      `SELECT bucket_start, records_in::int AS "in", records_out::int AS out, records_failed::int AS failed,
              records_dlq::int AS dlq, lag_max::int AS lag,
              CASE WHEN latency_weight > 0 THEN latency_sum / latency_weight END AS latency_avg, latency_max
       FROM ${table} WHERE pipeline_id = $1 ORDER BY bucket_start`,
      [pipelineId],
    )
  ).rows.map((row) => ({ ...row, bucket_start: row.bucket_start.toISOString() }));

const apply = async (events: readonly RecordedEvent[]) => {
  const client = await bed.pool.connect();
  try {
    return await metricsProjection.apply(client, events);
  } finally {
    client.release();
  }
};

describe('pipeline metrics read model', () => {
  // Run r-1 of p-1 reports three times, is cancelled (the pipeline restarted), and run r-2 of
  // p-1 counts from zero again; p-2 reports meanwhile and stays apart.
  const history = () => [
    ...bed.record('run-r-1', [requested('r-1', 'p-1'), started('r-1')]),
    ...bed.record('run-q-1', [requested('q-1', 'p-2'), started('q-1')]),
    ...bed.record('run-r-1', [
      progress('r-1', T(0, 0, 3), { in: 100, out: 90, failed: 5, dlq: 5 }, 40, { avgMs: 10, maxMs: 30 }),
    ]),
    ...bed.record('run-q-1', [progress('q-1', T(0, 0, 4), { in: 7, out: 7 }, 1)]),
    ...bed.record('run-r-1', [
      progress('r-1', T(0, 0, 7), { in: 150, out: 135, failed: 5, dlq: 10 }, 20, { avgMs: 40, maxMs: 50 }),
      progress('r-1', T(0, 0, 12), { in: 160, out: 145, failed: 5, dlq: 10 }, 5),
      { type: 'RunCancelled', data: { runId: 'r-1', cancelledAt: T(0, 0, 20) } },
    ]),
    ...bed.record('run-r-2', [
      requested('r-2', 'p-1'),
      started('r-2'),
      progress('r-2', T(0, 1, 5), { in: 30, out: 15, filtered: 15 }, 0, { avgMs: 20, maxMs: 20 }),
    ]),
  ];

  it('turns two runs of a pipeline, restarted in between, into 10 s buckets of deltas, the same when delivered twice', async () => {
    await bed.deliverTwice(history());

    expect(await buckets('pipeline_metrics_10s', 'p-1')).toEqual([
      // 100 + 50 in; latency weighted by the records out of each report: (10·90 + 40·45) / 135.
      {
        bucket_start: T(0, 0, 0),
        in: 150,
        out: 135,
        failed: 5,
        dlq: 10,
        lag: 40,
        latency_avg: 20,
        latency_max: 50,
      },
      {
        bucket_start: T(0, 0, 10),
        in: 10,
        out: 10,
        failed: 0,
        dlq: 0,
        lag: 5,
        latency_avg: null,
        latency_max: null,
      },
      // The new run's first report counts whole.
      {
        bucket_start: T(0, 1, 0),
        in: 30,
        out: 15,
        failed: 0,
        dlq: 0,
        lag: 0,
        latency_avg: 20,
        latency_max: 20,
      },
    ]);
    expect(await buckets('pipeline_metrics_10s', 'p-2')).toEqual([
      {
        bucket_start: T(0, 0, 0),
        in: 7,
        out: 7,
        failed: 0,
        dlq: 0,
        lag: 1,
        latency_avg: null,
        latency_max: null,
      },
    ]);
  });

  it('rolls the buckets up per minute and per hour', async () => {
    expect(await buckets('pipeline_metrics_1m', 'p-1')).toEqual([
      {
        bucket_start: T(0, 0, 0),
        in: 160,
        out: 145,
        failed: 5,
        dlq: 10,
        lag: 40,
        latency_avg: 20,
        latency_max: 50,
      },
      {
        bucket_start: T(0, 1, 0),
        in: 30,
        out: 15,
        failed: 0,
        dlq: 0,
        lag: 0,
        latency_avg: 20,
        latency_max: 20,
      },
    ]);
    expect(await buckets('pipeline_metrics_1h', 'p-1')).toEqual([
      {
        bucket_start: T(0, 0, 0),
        in: 190,
        out: 160,
        failed: 5,
        dlq: 10,
        lag: 40,
        latency_avg: 20,
        latency_max: 50,
      },
    ]);
  });

  it('answers chart points per step, re-bucketing and filling empty steps', async () => {
    const points = await readPipelineMetrics(bed.pool, 'p-1', {
      from: new Date(T(0, 0, 0)),
      to: new Date(T(0, 1, 30)),
      stepSeconds: 30,
    });
    expect(points.map((p) => [p.time, p.recordsIn, p.outPerSecond, p.lag, p.latencyAvgMs])).toEqual([
      [T(0, 0, 0), 160, 145 / 30, 40, 20],
      [T(0, 0, 30), 0, 0, null, null],
      [T(0, 1, 0), 30, 0.5, 0, 20],
    ]);
  });

  it('publishes each changed 10 s bucket as it stands after the batch', async () => {
    const updates = await apply(
      bed.record('run-r-2', [
        progress('r-2', T(0, 1, 6), { in: 40, out: 25, filtered: 15 }, 3),
        progress('r-2', T(0, 1, 8), { in: 50, out: 35, filtered: 15 }, 2),
      ]),
    );
    expect(updates).toEqual([
      {
        topic: 'pipelineMetricsUpdated',
        payload: {
          pipelineId: 'p-1',
          point: {
            time: T(0, 1, 0),
            stepSeconds: 10,
            recordsIn: 50,
            recordsOut: 35,
            recordsFailed: 0,
            recordsDlq: 0,
            inPerSecond: 5,
            outPerSecond: 3.5,
            failedPerSecond: 0,
            dlqPerSecond: 0,
            lag: 3,
            latencyAvgMs: 20,
            latencyMaxMs: 20,
          },
        },
      },
    ]);
  });

  it('ignores a report of a run it never saw requested, which names no pipeline', async () => {
    expect(await apply(bed.record('run-x', [progress('x', T(0, 2, 0), { in: 5, out: 5 }, 0)]))).toEqual([]);
  });
});

describe('pipeline metrics retention', () => {
  const shortLived = createMetricsProjection({ tenSeconds: 60, minute: 600, hour: DAY });
  const retentionBed = projectionTestBed(shortLived);
  beforeAll(retentionBed.setUp);
  afterAll(retentionBed.tearDown);

  it('drops buckets older than each granularity keeps, counted back from the newest report', async () => {
    await retentionBed.deliver(
      retentionBed.record('run-r-1', [
        requested('r-1', 'p-1'),
        started('r-1'),
        progress('r-1', T(0, 0, 5), { in: 1, out: 1 }, 0),
        progress('r-1', T(0, 5, 0), { in: 3, out: 3 }, 0),
        progress('r-1', T(0, 20, 0), { in: 6, out: 6 }, 0),
      ]),
    );
    const starts = async (table: string) =>
      (await retentionBed.pool.query(`SELECT bucket_start FROM ${table} ORDER BY bucket_start`)).rows.map(
        (row) => [row.bucket_start.toISOString()],
      );
    // 10 s buckets: a minute back from 00:20:00; minutes: ten minutes back; hours: a day back.
    expect(await starts('pipeline_metrics_10s')).toEqual([[T(0, 20, 0)]]);
    expect(await starts('pipeline_metrics_1m')).toEqual([[T(0, 20, 0)]]);
    expect(await starts('pipeline_metrics_1h')).toEqual([[T(0, 0, 0)]]);

    await retentionBed.deliver(
      retentionBed.record('run-r-1', [progress('r-1', T(0, 25, 0), { in: 7, out: 7 }, 0)]),
    );
    expect(await starts('pipeline_metrics_1m')).toEqual([[T(0, 20, 0)], [T(0, 25, 0)]]);
  });
});
