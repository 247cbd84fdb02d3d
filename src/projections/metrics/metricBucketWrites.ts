import type pg from 'pg';
import type { MetricDelta, MetricsRun } from './metricDeltas.js';
import { bucketStartOf, METRIC_GRANULARITIES, type MetricGranularity } from './metricGranularity.js';
import type { MetricBucketRow } from './metricPoint.js';

interface BucketSums {
  pipelineId: string;
  bucketStart: number;
  in: number;
  out: number;
  failed: number;
  dlq: number;
  lagMax: number;
  latencySum: number;
  latencyWeight: number;
  latencyMax: number | null;
  reports: number;
}

/** The deltas summed per pipeline and bucket of one granularity, so each bucket is written once a batch. */
const sumPerBucket = (deltas: readonly MetricDelta[], seconds: number): BucketSums[] => {
  const buckets = new Map<string, BucketSums>();
  for (const delta of deltas) {
    const bucketStart = bucketStartOf(delta.at, seconds);
    const key = `${delta.pipelineId}\u0000${bucketStart}`;
    let sums = buckets.get(key);
    if (!sums) {
      sums = {
        pipelineId: delta.pipelineId,
        bucketStart,
        in: 0,
        out: 0,
        failed: 0,
        dlq: 0,
        lagMax: 0,
        latencySum: 0,
        latencyWeight: 0,
        latencyMax: null,
        reports: 0,
      };
      buckets.set(key, sums);
    }
    sums.in += delta.counts.in;
    sums.out += delta.counts.out;
    sums.failed += delta.counts.failed;
    sums.dlq += delta.counts.dlq;
    sums.lagMax = Math.max(sums.lagMax, delta.lag);
    sums.reports++;
    if (delta.latency) {
      sums.latencySum += delta.latency.avgMs * delta.latency.weight;
      sums.latencyWeight += delta.latency.weight;
      sums.latencyMax = Math.max(sums.latencyMax ?? 0, delta.latency.maxMs);
    }
  }
  return [...buckets.values()];
};

/**
 * Adds the deltas to their buckets of one granularity. Sums add; lag and latency maxima take the
 * greater (GREATEST ignores a NULL, so a bucket without latency keeps NULL until one comes).
 */
const addToBuckets = async (
  client: pg.ClientBase,
  granularity: MetricGranularity,
  deltas: readonly MetricDelta[],
): Promise<MetricBucketRow[]> => {
  const sums = sumPerBucket(deltas, granularity.seconds);
  if (sums.length === 0) return [];
  const { rows } = await client.query<MetricBucketRow>(
    `INSERT INTO ${granularity.table} AS b
       (pipeline_id, bucket_start, records_in, records_out, records_failed, records_dlq,
        lag_max, latency_sum, latency_weight, latency_max, reports)
     SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::bigint[], $4::bigint[], $5::bigint[],
                          $6::bigint[], $7::bigint[], $8::float8[], $9::bigint[], $10::float8[], $11::int[])
     ON CONFLICT (pipeline_id, bucket_start) DO UPDATE SET
       records_in = b.records_in + EXCLUDED.records_in,
       records_out = b.records_out + EXCLUDED.records_out,
       records_failed = b.records_failed + EXCLUDED.records_failed,
       records_dlq = b.records_dlq + EXCLUDED.records_dlq,
       lag_max = GREATEST(b.lag_max, EXCLUDED.lag_max),
       latency_sum = b.latency_sum + EXCLUDED.latency_sum,
       latency_weight = b.latency_weight + EXCLUDED.latency_weight,
       latency_max = GREATEST(b.latency_max, EXCLUDED.latency_max),
       reports = b.reports + EXCLUDED.reports
     RETURNING *`,
    [
      sums.map((s) => s.pipelineId),
      sums.map((s) => new Date(s.bucketStart).toISOString()),
      sums.map((s) => s.in),
      sums.map((s) => s.out),
      sums.map((s) => s.failed),
      sums.map((s) => s.dlq),
      sums.map((s) => s.lagMax),
      sums.map((s) => s.latencySum),
      sums.map((s) => s.latencyWeight),
      sums.map((s) => s.latencyMax),
      sums.map((s) => s.reports),
    ],
  );
  return rows;
};

/** Adds the deltas to every granularity; returns the 10 s buckets as they now stand. */
export const writeMetricBuckets = async (
  client: pg.ClientBase,
  deltas: readonly MetricDelta[],
): Promise<MetricBucketRow[]> => {
  const [finest, ...coarser] = METRIC_GRANULARITIES;
  const written = await addToBuckets(client, finest, deltas);
  for (const granularity of coarser) await addToBuckets(client, granularity, deltas);
  return written;
};

/** Saves each changed run's latest counts and position: the base of its next delta. */
export const writeMetricsRuns = async (client: pg.ClientBase, runs: readonly MetricsRun[]) => {
  if (runs.length === 0) return;
  await client.query(
    `INSERT INTO metrics_runs (run_id, pipeline_id, records_in, records_out, records_failed, records_dlq, last_position)
     SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[], $5::bigint[], $6::bigint[], $7::bigint[])
     ON CONFLICT (run_id) DO UPDATE SET
       records_in = EXCLUDED.records_in, records_out = EXCLUDED.records_out,
       records_failed = EXCLUDED.records_failed, records_dlq = EXCLUDED.records_dlq,
       last_position = EXCLUDED.last_position`,
    [
      runs.map((r) => r.runId),
      runs.map((r) => r.pipelineId),
      runs.map((r) => r.counts.in),
      runs.map((r) => r.counts.out),
      runs.map((r) => r.counts.failed),
      runs.map((r) => r.counts.dlq),
      runs.map((r) => r.lastPosition),
    ],
  );
};

/** The runs named, as the projection last left them. */
export const readMetricsRuns = async (
  client: pg.ClientBase,
  runIds: readonly string[],
): Promise<Map<string, MetricsRun>> => {
  const { rows } = await client.query<{
    run_id: string;
    pipeline_id: string;
    records_in: string;
    records_out: string;
    records_failed: string;
    records_dlq: string;
    last_position: string;
  }>('SELECT * FROM metrics_runs WHERE run_id = ANY($1::text[])', [runIds]);
  return new Map(
    rows.map((row) => [
      row.run_id,
      {
        runId: row.run_id,
        pipelineId: row.pipeline_id,
        counts: {
          in: Number(row.records_in),
          out: Number(row.records_out),
          failed: Number(row.records_failed),
          dlq: Number(row.records_dlq),
        },
        lastPosition: Number(row.last_position),
      },
    ]),
  );
};
