import type pg from 'pg';
import type { RunEvent } from '../../domain/runs/run.js';
import type { RecordedEvent } from '../../infra/eventstore/eventStore.js';
import type { LiveUpdate, Projection } from '../projection.js';
import { readMetricsRuns, writeMetricBuckets, writeMetricsRuns } from './metricBucketWrites.js';
import { foldRunEvents } from './metricDeltas.js';
import { METRIC_GRANULARITIES, type MetricsRetention } from './metricGranularity.js';
import { toPipelineMetricsPoint } from './metricPoint.js';

/** Topic of a live update for each 10 s bucket a batch changed: `{ pipelineId, point }`. */
export const PIPELINE_METRICS_UPDATED = 'pipelineMetricsUpdated';

type FollowedEvent = RecordedEvent & Extract<RunEvent, { type: 'RunRequested' | 'RunProgressRecorded' }>;
const isFollowed = (event: RecordedEvent): event is FollowedEvent =>
  event.type === 'RunRequested' || event.type === 'RunProgressRecorded';

const bucketTable = (table: string) => `CREATE TABLE ${table} (
    pipeline_id text NOT NULL,
    bucket_start timestamptz NOT NULL,
    records_in bigint NOT NULL,
    records_out bigint NOT NULL,
    records_failed bigint NOT NULL,
    records_dlq bigint NOT NULL,
    lag_max bigint,
    latency_sum double precision NOT NULL,
    latency_weight bigint NOT NULL,
    latency_max double precision,
    reports int NOT NULL,
    PRIMARY KEY (pipeline_id, bucket_start)
  );
  CREATE INDEX ${table}_bucket_start ON ${table} (bucket_start);`;

/**
 * Drops the buckets older than each granularity's retention, counted back from the newest report
 * of the batch rather than from the clock: a rebuild then keeps exactly what the live projection
 * kept, and the domain's time stays on the events. Pipelines that stopped reporting keep their
 * last buckets until a report of any pipeline moves the horizon.
 */
const prune = async (client: pg.ClientBase, retention: MetricsRetention, newest: number) => {
  for (const granularity of METRIC_GRANULARITIES) {
    const horizon = new Date(newest - retention[granularity.name] * 1000).toISOString();
    await client.query(`DELETE FROM ${granularity.table} WHERE bucket_start < $1`, [horizon]);
  }
};

/**
 * The pipeline metrics read model, built from run progress: records in, out, failed and to the
 * DLQ, the highest lag, and processing latency, per pipeline per 10 s bucket, rolled up per
 * minute and per hour as they are written (`pipeline_metrics_10s`, `_1m`, `_1h`). Reports are
 * cumulative per run; `metrics_runs` keeps each run's pipeline and latest counts, so consecutive
 * reports become deltas, and its position guards every run against an event seen twice. A report
 * lands in the bucket of its `recordedAt`. Retention is pruned here, per batch (see `prune`).
 * Each 10 s bucket a batch changed is published once its rows commit: a live chart replaces the
 * point of the same time.
 */
export const createMetricsProjection = (retention: MetricsRetention): Projection => ({
  name: 'metrics',
  tables: ['metrics_runs', ...METRIC_GRANULARITIES.map((granularity) => granularity.table)],
  migrations: [
    {
      id: 'metrics-001-tables',
      sql: `CREATE TABLE metrics_runs (
              run_id text PRIMARY KEY,
              pipeline_id text NOT NULL,
              records_in bigint NOT NULL,
              records_out bigint NOT NULL,
              records_failed bigint NOT NULL,
              records_dlq bigint NOT NULL,
              last_position bigint NOT NULL
            );
            ${METRIC_GRANULARITIES.map((granularity) => bucketTable(granularity.table)).join('\n')}`,
    },
  ],
  async apply(client, events) {
    const followed = events.filter(isFollowed);
    if (followed.length === 0) return [];
    const runs = await readMetricsRuns(client, [...new Set(followed.map((event) => event.data.runId))]);
    const { deltas, changedRuns } = foldRunEvents(runs, followed);
    await writeMetricsRuns(
      client,
      [...changedRuns].map((runId) => runs.get(runId)!),
    );
    if (deltas.length === 0) return [];
    const buckets = await writeMetricBuckets(client, deltas);
    await prune(
      client,
      retention,
      deltas.reduce((newest, delta) => Math.max(newest, delta.at), 0),
    );
    return buckets.map(
      (row): LiveUpdate => ({
        topic: PIPELINE_METRICS_UPDATED,
        payload: {
          pipelineId: row.pipeline_id,
          point: toPipelineMetricsPoint(row.bucket_start.getTime(), 10, row),
        },
      }),
    );
  },
});
