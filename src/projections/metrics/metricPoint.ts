/** A bucket of pipeline metrics as PostgreSQL returns it (bigint as text). */
export interface MetricBucketRow {
  pipeline_id: string;
  bucket_start: Date;
  records_in: string | number;
  records_out: string | number;
  records_failed: string | number;
  records_dlq: string | number;
  lag_max: string | number | null;
  latency_sum: number;
  latency_weight: string | number;
  latency_max: number | null;
  reports: number;
}

/**
 * One point of a pipeline's metrics chart: the records of the step starting at `time`, in total
 * and per second; the highest lag reported in it; the processing latency of its records, average
 * (weighted by the records out of each report) and maximum. Lag and latency are null in a step
 * without a report (or without records out), so a chart shows a gap rather than a false zero.
 */
export interface PipelineMetricsPoint {
  time: string;
  stepSeconds: number;
  recordsIn: number;
  recordsOut: number;
  recordsFailed: number;
  recordsDlq: number;
  inPerSecond: number;
  outPerSecond: number;
  failedPerSecond: number;
  dlqPerSecond: number;
  lag: number | null;
  latencyAvgMs: number | null;
  latencyMaxMs: number | null;
}

const num = (value: string | number | null | undefined): number => Number(value ?? 0);

export const toPipelineMetricsPoint = (
  time: number,
  stepSeconds: number,
  row: MetricBucketRow | undefined,
): PipelineMetricsPoint => {
  const recordsIn = num(row?.records_in);
  const recordsOut = num(row?.records_out);
  const recordsFailed = num(row?.records_failed);
  const recordsDlq = num(row?.records_dlq);
  const weight = num(row?.latency_weight);
  return {
    time: new Date(time).toISOString(),
    stepSeconds,
    recordsIn,
    recordsOut,
    recordsFailed,
    recordsDlq,
    inPerSecond: recordsIn / stepSeconds,
    outPerSecond: recordsOut / stepSeconds,
    failedPerSecond: recordsFailed / stepSeconds,
    dlqPerSecond: recordsDlq / stepSeconds,
    lag: row?.lag_max == null ? null : num(row.lag_max),
    latencyAvgMs: weight > 0 ? num(row?.latency_sum) / weight : null,
    latencyMaxMs: row?.latency_max ?? null,
  };
};
