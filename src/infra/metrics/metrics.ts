import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { EventStore } from '../eventstore/eventStore.js';

/**
 * The process's Prometheus metrics, in one registry that a `/metrics` route serves. Metrics are
 * process-wide, as Prometheus expects: each process reports what it did itself, and queries sum
 * over instances. Label values are ids, never record contents, so cardinality stays bounded.
 */
export const metricsRegistry = new Registry();

/** Records a pipeline's processors took in, sent out, filtered, saw fail, or sent to the DLQ. */
export const pipelineRecords = new Counter({
  name: 'tributary_pipeline_records_total',
  help: 'Records handled by pipeline processors in this process, by pipeline, version and outcome (in, out, filtered, failed, dlq).',
  labelNames: ['pipeline_id', 'version', 'outcome'] as const,
  registers: [metricsRegistry],
});

/** How far a pipeline's consumer group is behind its source, summed over partitions. */
export const pipelineLag = new Gauge({
  name: 'tributary_pipeline_lag_records',
  help: 'Records in the source topic that the pipeline has not processed yet, summed over partitions.',
  labelNames: ['pipeline_id'] as const,
  registers: [metricsRegistry],
});

/** How far the relay is behind the event store. */
export const relayLag = new Gauge({
  name: 'tributary_relay_lag_events',
  help: 'Events in the event store that the relay has not yet published to tributary.events.',
  registers: [metricsRegistry],
});

/** Events the relay published. */
export const relayedEvents = new Counter({
  name: 'tributary_relay_events_total',
  help: 'Events the relay published to tributary.events from this process.',
  registers: [metricsRegistry],
});

/** Every HTTP request the API answered, by route pattern (never the raw URL), method and status. */
export const httpRequestDuration = new Histogram({
  name: 'tributary_http_request_duration_seconds',
  help: 'Time from receiving an HTTP request to sending its response, by route pattern, method and status code.',
  labelNames: ['route', 'method', 'status_code'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [metricsRegistry],
});

/** GraphQL operations over HTTP, from the start of execution to their result. */
export const graphqlOperationDuration = new Histogram({
  name: 'tributary_graphql_operation_duration_seconds',
  help: 'Time to execute a GraphQL operation, by operation name (anonymous when it has none) and type.',
  labelNames: ['operation_name', 'operation_type'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [metricsRegistry],
});

/** Appends to the event store, whichever adapter, successful or not. */
export const eventStoreAppendDuration = new Histogram({
  name: 'tributary_eventstore_append_duration_seconds',
  help: 'Time for one append to the event store to commit (or fail), in seconds.',
  labelNames: ['outcome'] as const,
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  registers: [metricsRegistry],
});

export interface ProjectionPositions {
  /** The event store's last position now. */
  head: number;
  /** Each projection's checkpoint, by name. */
  positions: ReadonlyMap<string, number>;
}

let readProjectionPositions: (() => Promise<ProjectionPositions>) | null = null;

/**
 * How far each read model is behind the event store, read when Prometheus scrapes rather than
 * kept up to date: a scrape every 15 s costs two small queries, a gauge set per applied batch
 * would cost a write per batch. In position units: events on PostgreSQL, bytes on EventStoreDB.
 */
export const projectionLag = new Gauge({
  name: 'tributary_projection_lag_events',
  help: 'Events in the event store that a projection has not applied yet (bytes of log on EventStoreDB).',
  labelNames: ['projection'] as const,
  registers: [metricsRegistry],
  async collect() {
    this.reset();
    if (!readProjectionPositions) return;
    // A database that does not answer must not take the other metrics down with it.
    const read = await readProjectionPositions().catch(() => null);
    if (!read) return;
    for (const [projection, position] of read.positions) {
      this.set({ projection }, Math.max(0, read.head - position));
    }
  },
});

/** Makes `/metrics` report projection lag from `read`; the returned function stops it. */
export const reportProjectionLag = (read: () => Promise<ProjectionPositions>) => {
  readProjectionPositions = read;
  return () => {
    if (readProjectionPositions === read) readProjectionPositions = null;
  };
};

let defaultMetricsStarted = false;

/** Node's own metrics (CPU, memory, event loop lag, GC), registered once per process. */
export const collectNodeMetrics = () => {
  if (defaultMetricsStarted) return;
  defaultMetricsStarted = true;
  collectDefaultMetrics({ register: metricsRegistry });
};

/** The event store with each append timed into `eventStoreAppendDuration`. */
export const withAppendDuration = (store: EventStore): EventStore => ({
  append: async (streamId, events, options) => {
    const end = eventStoreAppendDuration.startTimer();
    try {
      const result = await store.append(streamId, events, options);
      end({ outcome: 'ok' });
      return result;
    } catch (error) {
      end({ outcome: 'error' });
      throw error;
    }
  },
  readStream: (streamId, options) => store.readStream(streamId, options),
  readAll: (options) => store.readAll(options),
  subscribeToAll: (options) => store.subscribeToAll(options),
  headPosition: () => store.headPosition(),
  close: () => store.close(),
});
