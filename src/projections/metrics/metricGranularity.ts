/**
 * The bucket sizes the pipeline metrics are kept at, finest first: every 10 s bucket is rolled
 * up into its minute and its hour as it is written, so each table answers its range alone.
 */
export const METRIC_GRANULARITIES = [
  { name: 'tenSeconds', seconds: 10, table: 'pipeline_metrics_10s' },
  { name: 'minute', seconds: 60, table: 'pipeline_metrics_1m' },
  { name: 'hour', seconds: 3_600, table: 'pipeline_metrics_1h' },
] as const;

export type MetricGranularity = (typeof METRIC_GRANULARITIES)[number];
export type MetricGranularityName = MetricGranularity['name'];

/** How long each granularity's buckets are kept, in seconds, counted back from the newest report. */
export type MetricsRetention = Readonly<Record<MetricGranularityName, number>>;

const DAY = 86_400;
/** 10 s buckets for 2 days, minutes for 30 days, hours for a year. */
export const DEFAULT_METRICS_RETENTION: MetricsRetention = {
  tenSeconds: 2 * DAY,
  minute: 30 * DAY,
  hour: 365 * DAY,
};

/** The start of the bucket of `seconds` holding `at`, buckets aligned on the Unix epoch. */
export const bucketStartOf = (at: number, seconds: number): number =>
  Math.floor(at / (seconds * 1000)) * seconds * 1000;

/** The coarsest granularity a step is a multiple of: its buckets re-bucket exactly into steps. */
export const granularityForStep = (stepSeconds: number): MetricGranularity | undefined =>
  [...METRIC_GRANULARITIES].reverse().find((granularity) => stepSeconds % granularity.seconds === 0);
