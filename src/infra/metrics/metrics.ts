import { Counter, Gauge, Registry } from 'prom-client';

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
