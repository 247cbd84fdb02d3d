import {
  DEFAULT_RETRY_POLICY,
  isConnectorReference,
  type PipelineDefinition,
  type RetryPolicy,
} from '../domain/pipelines/pipelineDefinition.js';
import type { RunCounts } from '../domain/runs/runProgress.js';
import type {
  BatchContext,
  ConsumedBatch,
  ConsumedRecord,
  Log,
  LogConsumer,
  LogRecord,
  ProducedRecord,
} from '../infra/log/log.js';
import { pipelineRecords } from '../infra/metrics/metrics.js';
import { interruptibleSleep } from '../infra/timing/interruptibleSleep.js';
import type { Logger } from '../logger.js';
import { createAggregateEngine } from './aggregate/aggregateEngine.js';
import type { PartitionAggregator } from './aggregate/partitionAggregator.js';
import { openWindowStateStore, stateChangelogTopicOf } from './aggregate/windowStateStore.js';
import { createRecordDecoder } from './formats/recordDecoder.js';
import { createRecordEncoder } from './formats/recordEncoder.js';
import { LINEAGE_HEADER, lineagePrefix } from './lineage.js';
import { type ConnectorSinkServices, openConnectorSink } from './sinks/connectorSink.js';
import {
  compilePipeline,
  type RecordContext,
  splitAggregate,
  type TransformDependencies,
} from './transform/compilePipeline.js';
import type { JsonRecord } from './transform/jsonRecord.js';
import { StepFailure } from './transform/stepFailure.js';

export interface RunningPipeline {
  pipelineId: string;
  version: number;
  /** Stops consuming; the batch in hand finishes and its offsets commit first. */
  stop(): Promise<void>;
}

/** What a batch did, for run progress: the counts and where the partition now stands. */
export interface BatchOutcome {
  topic: string;
  partition: number;
  /** The offset after the last record of the batch: where the group resumes. */
  nextOffset: number;
  counts: RunCounts;
  /**
   * Processing latency of the records the batch wrote to the sink: the time at the end of the
   * batch minus each source record's timestamp (for window results, the batch's newest source
   * timestamp). Sum, max and count so that batches add up; all 0 when nothing reached the sink.
   */
  latencyMs: BatchLatency;
  /**
   * A version ending in an aggregate step: the window results the batch wrote to the sink. Its
   * `counts.out` are the source records the windows took in, not these: a record may update
   * several windows or none yet, and counts account for source records (in = out + filtered +
   * dlq + inFlight).
   */
  windowResults?: number;
}

export interface BatchLatency {
  sum: number;
  max: number;
  count: number;
}

export const consumerGroupOf = (pipelineId: string) => `tributary.pipeline.${pipelineId}`;
export const deadLetterTopicOf = (pipelineId: string) => `tributary.dlq.${pipelineId}`;

/** Headers a dead letter carries besides the source record's own. */
export const DEAD_LETTER_HEADERS = {
  error: 'tributary-error',
  step: 'tributary-step',
  attempts: 'tributary-attempts',
} as const;

export interface PipelineProcessorOptions extends ConnectorSinkServices {
  log: Log;
  logger: Logger;
  pipelineId: string;
  version: number;
  definition: PipelineDefinition;
  /** What enrich steps look values up in. */
  dependencies?: TransformDependencies;
  /** The consumer group; the pipeline's own by default. A batch run uses one of its own. */
  groupId?: string;
  /** Records at or past these offsets (per source partition) are left alone: a bounded run. */
  endOffsets?: ReadonlyMap<number, number>;
  /** Hears of every batch once its output and offsets are committed. */
  onBatch?: (outcome: BatchOutcome) => void;
  /** Replaces the backoff wait between retries (tests). */
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Runs one pipeline version: source topic → steps → sink topic, as one consumer group.
 * A record that cannot be decoded, fails a step or does not fit the sink is tried again as
 * the version's retry policy says when the failure may pass (a lookup timing out), then goes
 * to the pipeline's DLQ topic with headers naming the version, the step, the error and the
 * source record; the partition keeps moving. Sink records carry their lineage (lineage.ts).
 * Delivery is at least once, or exactly once when the version asks for it: then sink and DLQ
 * records and the source offsets commit in one transaction. A version ending in an aggregate
 * step sends window results to the sink instead, and its window state to a changelog
 * (windowStateStore.ts), in that transaction too.
 */
export const startPipelineProcessor = async (options: PipelineProcessorOptions): Promise<RunningPipeline> => {
  const { log, logger, pipelineId, version, definition, endOffsets } = options;
  const { source, sink } = definition;
  // Connector sources are still to come: a version that names one does not start.
  if (isConnectorReference(source))
    throw new Error('connector sources are not supported by the transform engine yet');
  const { aggregate } = splitAggregate(definition);
  // A connector sink (a PostgreSQL table) takes window results, whose shape it knows; a version
  // without an aggregate step writes topics only, for now.
  if (isConnectorReference(sink) && !aggregate)
    throw new Error('a connector sink takes the window results of an aggregate step; this version has none');
  const decoder = createRecordDecoder(source);
  const sinkTopic = isConnectorReference(sink) ? null : sink.topic;
  const encoder = createRecordEncoder(isConnectorReference(sink) ? { topic: '', format: 'json' } : sink);
  const transform = compilePipeline(definition, options.dependencies);
  const retry: RetryPolicy = definition.retry ?? DEFAULT_RETRY_POLICY;
  const backoff = interruptibleSleep();
  const sleep = options.sleep ?? backoff.sleep;
  const deadLetterTopic = deadLetterTopicOf(pipelineId);
  const versionText = String(version);
  for (const topic of [source.topic, sinkTopic, deadLetterTopic]) if (topic) await log.ensureTopic(topic);
  const tableSink = isConnectorReference(sink)
    ? await openConnectorSink(options, sink.connectorId)
    : undefined;
  const aggregateStepIndex = definition.steps.findIndex((step) => step.kind === 'aggregate');
  const stateStore = aggregate
    ? await openWindowStateStore({
        log,
        engine: createAggregateEngine(aggregate, aggregateStepIndex),
        topic: stateChangelogTopicOf(pipelineId, version, options.groupId),
        sourceTopic: source.topic,
      })
    : undefined;

  const metric = (outcome: keyof RunCounts) =>
    pipelineRecords.labels({ pipeline_id: pipelineId, version: versionText, outcome });
  const metrics = {
    in: metric('in'),
    out: metric('out'),
    filtered: metric('filtered'),
    failed: metric('failed'),
    dlq: metric('dlq'),
  };

  // Tries the steps on one record; a failure that may pass is tried again after a backoff.
  const transformWithRetries = async (
    value: JsonRecord,
    record: ConsumedRecord,
  ): Promise<{ result: JsonRecord | null } | { failure: TransformFailure; attempts: number }> => {
    const context = { partition: record.partition, timestamp: record.timestamp };
    for (let attempt = 1; ; attempt++) {
      try {
        return { result: await transform.process(value, context) };
      } catch (error) {
        const failure = asStepFailure(error);
        if (!failure.retryable || attempt >= retry.maxAttempts) return { failure, attempts: attempt };
        await sleep(Math.min(retry.backoffMs * 2 ** (attempt - 1), retry.maxBackoffMs));
      }
    }
  };

  // A source record decoded, or dead-lettered saying why.
  const decodeOrDlq = (record: ConsumedRecord, toDlq: ToDlq): JsonRecord | typeof DEAD_LETTERED => {
    try {
      return decoder.decode(record.value);
    } catch (error) {
      toDlq(record, 'source', (error as Error).message, 1);
      return DEAD_LETTERED;
    }
  };

  // The hot path: a version without I/O steps transforms synchronously, without a promise per
  // record, and in place (the decoded value is no one else's). Such failures never pass by
  // themselves (a bad value stays bad), so none is retried. `recordContext` is one object per
  // batch: a synchronous step reads it while it runs and cannot keep it past that.
  const transformNow = (record: ConsumedRecord, recordContext: RecordContext, toDlq: ToDlq): Transformed => {
    const value = decodeOrDlq(record, toDlq);
    if (value === DEAD_LETTERED) return value;
    recordContext.timestamp = record.timestamp;
    try {
      return transform.processInPlace(value, recordContext) as JsonRecord | null;
    } catch (error) {
      const failure = asStepFailure(error);
      toDlq(record, failure.step, failure.message, 1);
      return DEAD_LETTERED;
    }
  };

  // A version with I/O steps: a failure that may pass is retried as the version says.
  const transformLater = async (record: ConsumedRecord, toDlq: ToDlq): Promise<Transformed> => {
    const value = decodeOrDlq(record, toDlq);
    if (value === DEAD_LETTERED) return value;
    const transformed = await transformWithRetries(value, record);
    if (!('failure' in transformed)) return transformed.result;
    toDlq(record, transformed.failure.step, transformed.failure.message, transformed.attempts);
    return DEAD_LETTERED;
  };

  const deadLetter = (record: ConsumedRecord, step: string, reason: string, attempts: number): LogRecord => ({
    key: record.key,
    value: record.value,
    timestamp: record.timestamp,
    headers: {
      ...record.headers,
      'tributary-pipeline-id': pipelineId,
      'tributary-pipeline-version': versionText,
      'tributary-source': `${record.topic}/${record.partition}/${record.offset}`,
      [DEAD_LETTER_HEADERS.error]: reason,
      [DEAD_LETTER_HEADERS.step]: step,
      [DEAD_LETTER_HEADERS.attempts]: String(attempts),
    },
  });

  const handleBatch = async (batch: ConsumedBatch, context: BatchContext): Promise<HandledBatch> => {
    const end = endOffsets?.get(batch.partition);
    const records = end === undefined ? batch.records : batch.records.filter((record) => record.offset < end);
    const counts: RunCounts = { in: records.length, out: 0, filtered: 0, failed: 0, dlq: 0 };
    const out: LogRecord[] = [];
    const dead: LogRecord[] = [];
    // For the latency: the sum and the oldest of the timestamps of the records sent to the sink.
    let outTimestampSum = 0;
    let oldestOutTimestamp = Number.POSITIVE_INFINITY;
    const sendToDlq = (record: ConsumedRecord, step: string, reason: string, attempts: number) => {
      counts.failed++;
      dead.push(deadLetter(record, step, reason, attempts));
    };
    const lineage = lineagePrefix(pipelineId, version, batch.topic, batch.partition);

    const recordContext: RecordContext = { partition: batch.partition, timestamp: 0 };
    for (let index = 0; index < records.length; index += 1) {
      const record = records[index]!;
      const result = transform.async
        ? await transformLater(record, sendToDlq)
        : transformNow(record, recordContext, sendToDlq);
      if (result === DEAD_LETTERED) continue;
      if (result === null) {
        counts.filtered++;
        continue;
      }
      let encoded: Buffer;
      try {
        encoded = encoder.encode(result);
      } catch (error) {
        sendToDlq(record, 'sink', (error as Error).message, 1);
        continue;
      }
      // The source record's own headers pass through (trace ids, say); most records have none.
      const trace = lineage + record.offset;
      const headers = hasAny(record.headers)
        ? { ...record.headers, [LINEAGE_HEADER]: trace }
        : { [LINEAGE_HEADER]: trace };
      out.push({ key: record.key, value: encoded, timestamp: record.timestamp, headers });
      outTimestampSum += record.timestamp;
      if (record.timestamp < oldestOutTimestamp) oldestOutTimestamp = record.timestamp;
    }
    counts.out = out.length;
    counts.dlq = dead.length;
    // The sink first: a DLQ record never stands for a record whose batch did not reach the sink.
    // (Only topic sinks reach here: a connector sink needs an aggregate step.)
    if (out.length > 0) await context.produce(sinkTopic as string, out);
    if (dead.length > 0) {
      await context.produce(deadLetterTopic, dead);
      logger.warn({ pipelineId, version, count: dead.length, deadLetterTopic }, 'records sent to the DLQ');
    }
    const batchEnd = Date.now();
    const latencyMs: BatchLatency =
      out.length === 0
        ? NO_LATENCY
        : {
            // Clamped at 0: a producer whose clock runs ahead stamps records in our future, and
            // a negative latency would be refused with the run's progress report.
            sum: Math.max(0, batchEnd * out.length - outTimestampSum),
            max: Math.max(0, batchEnd - oldestOutTimestamp),
            count: out.length,
          };
    return { counts, latencyMs };
  };

  /**
   * A version ending in an aggregate step: the steps before it per record, then the partition's
   * windows. Results of the windows the batch closed (or changed, in onUpdate mode) go to the
   * sink keyed by window and key (a retract as a tombstone), then the DLQ, then the state's
   * changes to its changelog: all through the batch's context, so in exactly-once mode they and
   * the source offsets commit together. Should the batch fail, the partition's state in memory
   * holds changes that were not committed, so it is dropped and restored when the batch comes again.
   */
  const handleAggregateBatch = async (
    batch: ConsumedBatch,
    context: BatchContext,
    store: NonNullable<typeof stateStore>,
  ): Promise<HandledBatch> => {
    const end = endOffsets?.get(batch.partition);
    const records = end === undefined ? batch.records : batch.records.filter((record) => record.offset < end);
    const counts: RunCounts = { in: 0, out: 0, filtered: 0, failed: 0, dlq: 0 };
    if (records.length === 0) return { counts, latencyMs: NO_LATENCY, windowResults: 0 };
    const { count: restoresBefore, ms: restoreMsBefore } = store.restores;
    const aggregator = await store.aggregatorFor(batch.partition, records[0]!.offset, batch.assignment);
    if (store.restores.count !== restoresBefore)
      logger.info(
        {
          pipelineId,
          version,
          partition: batch.partition,
          assignment: batch.assignment,
          nextOffset: aggregator.nextOffset,
          openWindows: aggregator.openWindows,
          restoreMs: Math.round(store.restores.ms - restoreMsBefore),
        },
        'window state restored from its changelog',
      );
    try {
      return await aggregateRecords(records, aggregator, counts, context, store);
    } catch (error) {
      store.forget(batch.partition);
      throw error;
    }
  };

  const aggregateRecords = async (
    records: readonly ConsumedRecord[],
    aggregator: PartitionAggregator,
    counts: RunCounts,
    context: BatchContext,
    store: NonNullable<typeof stateStore>,
  ): Promise<HandledBatch> => {
    const dead: LogRecord[] = [];
    const toDlq = (record: ConsumedRecord, step: string, reason: string, attempts: number) => {
      counts.failed++;
      dead.push(deadLetter(record, step, reason, attempts));
    };
    const aggregateStep = `steps[${aggregateStepIndex}] aggregate`;
    const addContext = { partition: aggregator.partition, timestamp: 0, offset: 0 };
    const recordContext: RecordContext = { partition: aggregator.partition, timestamp: 0 };
    let newestTimestamp = Number.NEGATIVE_INFINITY;
    for (const record of records) {
      // Applied before the state was last committed (and the offsets, in exactly-once mode, or
      // not yet, when a process died in between): counted then, applied once.
      if (record.offset < aggregator.nextOffset) continue;
      counts.in++;
      if (record.timestamp > newestTimestamp) newestTimestamp = record.timestamp;
      const result = transform.async
        ? await transformLater(record, toDlq)
        : transformNow(record, recordContext, toDlq);
      if (result === DEAD_LETTERED) {
        aggregator.skip(record.offset);
        continue;
      }
      if (result === null) {
        counts.filtered++;
        aggregator.skip(record.offset);
        continue;
      }
      addContext.timestamp = record.timestamp;
      addContext.offset = record.offset;
      try {
        const added = aggregator.add(result, addContext);
        if (added.accepted) counts.out++;
        else toDlq(record, aggregateStep, added.reason, 1);
      } catch (error) {
        const failure = asStepFailure(error);
        toDlq(record, failure.step, failure.message, 1);
      }
    }
    const out: ProducedRecord[] = [];
    // Results carry the partition's stream time as Kafka Streams does: the batch's newest source
    // timestamp (results only follow records, so there is one; now, should there not be).
    const resultTime = Number.isFinite(newestTimestamp) ? newestTimestamp : Date.now();
    const results = aggregator.drainResults();
    if (tableSink) {
      // A table is written outside the batch's transaction, first, as one statement: upserts by
      // window and key, so a batch that comes again (its commit failed, or at least once) writes
      // the same rows again rather than new ones.
      if (results.length > 0) await tableSink.write(results);
    } else {
      for (const result of results) {
        const key = Buffer.from(result.kafkaKey);
        if (result.record === null) {
          out.push({ key, value: null, timestamp: resultTime });
          continue;
        }
        try {
          out.push({ key, value: encoder.encode(result.record), timestamp: resultTime });
        } catch (error) {
          // Not a source record's fault, so nothing to dead-letter: the sink's format does not fit
          // the aggregate's output. Kept out of the sink, said loudly; the state moves on.
          logger.error(
            { pipelineId, version, key: result.kafkaKey, message: (error as Error).message },
            'window result does not fit the sink',
          );
        }
      }
    }
    counts.dlq = dead.length;
    if (out.length > 0) await context.produce(sinkTopic as string, out);
    if (dead.length > 0) {
      await context.produce(deadLetterTopic, dead);
      logger.warn({ pipelineId, version, count: dead.length, deadLetterTopic }, 'records sent to the DLQ');
    }
    const changes = store.changelogRecords(aggregator);
    if (changes.length > 0) await context.produce(store.topic, changes);
    const batchEnd = Date.now();
    const written = tableSink ? results.length : out.length;
    const latencyMs: BatchLatency =
      written === 0
        ? NO_LATENCY
        : {
            // Event time may run ahead of this clock (see above): never below 0.
            sum: Math.max(0, batchEnd - resultTime) * written,
            max: Math.max(0, batchEnd - resultTime),
            count: written,
          };
    return { counts, latencyMs, windowResults: written };
  };

  const consumer: LogConsumer = await log.consume({
    groupId: options.groupId ?? consumerGroupOf(pipelineId),
    topics: [source.topic],
    // A pipeline processes its source from the start, as Kafka Streams does by default:
    // records produced before activation are not silently skipped.
    fromBeginning: true,
    transactional: definition.delivery === 'exactly-once',
    eachBatch: async (batch, context) => {
      const { counts, latencyMs, windowResults } = stateStore
        ? await handleAggregateBatch(batch, context, stateStore)
        : await handleBatch(batch, context);
      // A batch that fails throws above and is counted when it comes again. One whose offset
      // commit fails after this point comes again too: counts are at least once, like delivery.
      for (const outcome of ['in', 'out', 'filtered', 'failed', 'dlq'] as const)
        if (counts[outcome] > 0) metrics[outcome].inc(counts[outcome]);
      const last = batch.records.at(-1);
      if (last) {
        options.onBatch?.({
          topic: batch.topic,
          partition: batch.partition,
          nextOffset: last.offset + 1,
          counts,
          latencyMs,
          ...(windowResults === undefined ? {} : { windowResults }),
        });
      }
    },
  });
  logger.info(
    { pipelineId, version, source: source.topic, delivery: definition.delivery ?? 'at-least-once' },
    'pipeline processor started',
  );
  return {
    pipelineId,
    version,
    stop: async () => {
      // A record waiting out a retry backoff is tried once more now rather than after the wait.
      backoff.wake();
      await consumer.stop();
      await transform.close();
      await tableSink?.close();
    },
  };
};

interface HandledBatch {
  counts: RunCounts;
  latencyMs: BatchLatency;
  windowResults?: number;
}

const NO_LATENCY: BatchLatency = { sum: 0, max: 0, count: 0 };

/** What the steps before the sink (or the aggregate) made of a record that went to the DLQ instead. */
const DEAD_LETTERED = Symbol('dead-lettered');
/** A record through those steps: the record, null when a step dropped it, or DEAD_LETTERED. */
type Transformed = JsonRecord | null | typeof DEAD_LETTERED;
type ToDlq = (record: ConsumedRecord, step: string, reason: string, attempts: number) => void;

const hasAny = (headers: Record<string, string>) => {
  for (const _ in headers) return true;
  return false;
};

/** Why a record could not be transformed, as its dead letter says it. */
interface TransformFailure {
  /** `steps[2] cast`, or `engine` for an error of ours rather than of the record. */
  step: string;
  message: string;
  retryable: boolean;
}

// Anything but a StepFailure is a bug of ours, not of the record; it still must not stop the
// partition, so it is reported like a failure that does not pass.
const asStepFailure = (error: unknown): TransformFailure =>
  error instanceof StepFailure
    ? {
        step: `steps[${error.stepIndex}] ${error.stepKind}`,
        message: error.message,
        retryable: error.retryable,
      }
    : {
        step: 'engine',
        message: `unexpected error: ${(error as Error)?.message ?? String(error)}`,
        retryable: false,
      };
