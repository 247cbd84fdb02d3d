import type pg from 'pg';
import { granularityForStep } from './metricGranularity.js';
import { type MetricBucketRow, type PipelineMetricsPoint, toPipelineMetricsPoint } from './metricPoint.js';

export interface MetricsRange {
  /** The first step starts here; aligned on the step by the caller (see chartRange.ts). */
  from: Date;
  /** Steps start before this instant. */
  to: Date;
  /** A multiple of 10 s: the coarsest granularity it is a multiple of is read and re-bucketed. */
  stepSeconds: number;
}

/**
 * A pipeline's metrics, one point per step from `from` to `to`, empty steps included (zero
 * records, no lag or latency), ready for a chart. Buckets re-bucket into steps exactly because
 * the step is a multiple of the granularity read: counts and latency weights add, maxima take
 * the greatest.
 */
export const readPipelineMetrics = async (
  pool: pg.Pool,
  pipelineId: string,
  range: MetricsRange,
): Promise<PipelineMetricsPoint[]> => {
  const granularity = granularityForStep(range.stepSeconds);
  if (!granularity) throw new Error(`A step of ${range.stepSeconds} s is not a multiple of 10 s`);
  const { rows } = await pool.query<MetricBucketRow & { slot: string }>(
    `SELECT floor(extract(epoch FROM bucket_start) / $4)::bigint * $4 AS slot,
            sum(records_in) AS records_in, sum(records_out) AS records_out,
            sum(records_failed) AS records_failed, sum(records_dlq) AS records_dlq,
            max(lag_max) AS lag_max, sum(latency_sum)::float8 AS latency_sum,
            sum(latency_weight) AS latency_weight, max(latency_max) AS latency_max
     FROM ${granularity.table}
     WHERE pipeline_id = $1 AND bucket_start >= $2 AND bucket_start < $3
     GROUP BY slot`,
    [pipelineId, range.from.toISOString(), range.to.toISOString(), range.stepSeconds],
  );
  const bySlot = new Map(rows.map((row) => [Number(row.slot) * 1000, row]));
  const points: PipelineMetricsPoint[] = [];
  const step = range.stepSeconds * 1000;
  for (let time = range.from.getTime(); time < range.to.getTime(); time += step) {
    points.push(toPipelineMetricsPoint(time, range.stepSeconds, bySlot.get(time)));
  }
  return points;
};
