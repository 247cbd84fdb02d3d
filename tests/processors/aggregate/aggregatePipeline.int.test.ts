import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import type { Log, LogRecord } from '../../../src/infra/log/log.js';
import { stateChangelogTopicOf } from '../../../src/processors/aggregate/windowStateStore.js';
import {
  type BatchOutcome,
  consumerGroupOf,
  DEAD_LETTER_HEADERS,
  deadLetterTopicOf,
  startPipelineProcessor,
} from '../../../src/processors/pipelineProcessor.js';
import { createTestSchema, dropTestSchema, testServices, uniqueTopic } from '../../setup/testServices.js';
import { logsUnderTest } from '../logsUnderTest.js';
import { waitUntilCaughtUp } from '../reliability/groupLag.js';
import { readToEnd } from '../reliability/readToEnd.js';
import {
  closingRecords,
  expectedTotals,
  PARTITIONS,
  SALE_EVERY_MS,
  saleRecords,
  salesPipeline,
  sunkTotals,
  T0,
} from './windowedSales.js';

const logger = pino({ level: 'silent' });
const CAUGHT_UP_MS = 30_000;

const schemas: string[] = [];
afterAll(async () => {
  for (const schema of schemas) await dropTestSchema(testServices().databaseUrl, schema);
});

const sum = (outcomes: readonly BatchOutcome[], pick: (outcome: BatchOutcome) => number) =>
  outcomes.reduce((total, outcome) => total + pick(outcome), 0);

describe.each(logsUnderTest)('an aggregate pipeline on $name', (logUnderTest) => {
  const start = () => {
    const schema = createTestSchema('aggregate');
    schemas.push(schema);
    return logUnderTest.open(schema);
  };

  const run = (log: Log, pipelineId: string, source: string, sink: string, outcomes: BatchOutcome[]) =>
    startPipelineProcessor({
      log,
      logger,
      pipelineId,
      version: 1,
      definition: salesPipeline(source, sink, 'exactly-once'),
      onBatch: (outcome) => outcomes.push(outcome),
    });

  it('sends each closed tumbling window once to the sink, keyed by window and key, and a late sale to the DLQ saying how late', async () => {
    const { log, close } = start();
    try {
      const pipelineId = randomUUID();
      const [source, sink] = [uniqueTopic('sales'), uniqueTopic('sales-per-second')];
      await log.ensureTopic(source, { partitions: PARTITIONS });
      const closedAt = T0 + 600 * SALE_EVERY_MS + 5_000;
      const late: LogRecord = {
        key: Buffer.from('c0'),
        value: Buffer.from(JSON.stringify({ customer: 'c0', amount: 99 })),
        partition: 0,
        timestamp: T0 + 100,
      };
      const refund: LogRecord = {
        key: Buffer.from('c3'),
        value: Buffer.from(JSON.stringify({ customer: 'c3', amount: -5 })),
        partition: 0,
        timestamp: closedAt,
      };
      const records = [...saleRecords(0, 600), ...closingRecords(closedAt), late, refund];
      await log.produce(source, records);

      const outcomes: BatchOutcome[] = [];
      const startedAt = Date.now();
      const processor = await run(log, pipelineId, source, sink, outcomes);
      const lag = await waitUntilCaughtUp(log, consumerGroupOf(pipelineId), source, CAUGHT_UP_MS);
      await processor.stop();

      const expected = expectedTotals(records);
      expect(lag).toBe(0);
      expect(expected).toHaveLength(600);
      expect(sunkTotals(await readToEnd(log, sink))).toEqual(expected);
      const [deadLetter, ...more] = await readToEnd(log, deadLetterTopicOf(pipelineId));
      expect(more).toEqual([]);
      expect(deadLetter!.value).toEqual(late.value);
      expect(deadLetter!.headers[DEAD_LETTER_HEADERS.step]).toBe('steps[1] aggregate');
      expect(deadLetter!.headers[DEAD_LETTER_HEADERS.error]).toMatch(/^late: 34900 ms behind the watermark/);
      // Every source record accounted for: taken into a window (out), filtered, or dead-lettered.
      expect({
        in: sum(outcomes, (outcome) => outcome.counts.in),
        out: sum(outcomes, (outcome) => outcome.counts.out),
        filtered: sum(outcomes, (outcome) => outcome.counts.filtered),
        dlq: sum(outcomes, (outcome) => outcome.counts.dlq),
        windowResults: sum(outcomes, (outcome) => outcome.windowResults ?? 0),
        latencies: sum(outcomes, (outcome) => outcome.latencyMs.count),
      }).toEqual({
        in: records.length,
        out: records.length - 2,
        filtered: 1,
        dlq: 1,
        windowResults: 600,
        latencies: 600,
      });
      // A result's latency runs from the newest event of its batch (at most closedAt) to the
      // batch's end (after the test began).
      for (const { latencyMs } of outcomes.filter((outcome) => outcome.latencyMs.count > 0)) {
        expect(latencyMs.max).toBeGreaterThanOrEqual(startedAt - closedAt);
        expect(latencyMs.sum).toBe(latencyMs.max * latencyMs.count);
      }
    } finally {
      await close();
    }
  }, 60_000);

  it('picks up open windows where a stopped processor left them: a new one restores them from the changelog', async () => {
    const { log, close } = start();
    try {
      const pipelineId = randomUUID();
      const [source, sink] = [uniqueTopic('sales'), uniqueTopic('sales-per-second')];
      await log.ensureTopic(source, { partitions: PARTITIONS });
      const groupId = consumerGroupOf(pipelineId);
      // 310 sales end half way through a window: every customer of it has an open one.
      const first = saleRecords(0, 310);
      await log.produce(source, first);
      const outcomes: BatchOutcome[] = [];
      const before = await run(log, pipelineId, source, sink, outcomes);
      expect(await waitUntilCaughtUp(log, groupId, source, CAUGHT_UP_MS)).toBe(0);
      await before.stop();
      const changelog = await log.endOffsets(stateChangelogTopicOf(pipelineId, 1));
      // Co-partitioned with the source, and holding the open windows' state.
      expect([...changelog.keys()].sort()).toEqual([0, 1, 2]);
      expect([...changelog.values()].every((end) => end > 0)).toBe(true);

      const rest = [...saleRecords(310, 600), ...closingRecords(T0 + 40_000)];
      const after = await run(log, pipelineId, source, sink, outcomes);
      await log.produce(source, rest);
      expect(await waitUntilCaughtUp(log, groupId, source, CAUGHT_UP_MS)).toBe(0);
      await after.stop();

      // Equal to the reference: the windows open at the stop hold the sales of both processors.
      expect(sunkTotals(await readToEnd(log, sink))).toEqual(expectedTotals([...first, ...rest]));
    } finally {
      await close();
    }
  }, 60_000);

  it('counts no sale twice at least once, when its batch reached the changelog but its offset was never committed', async () => {
    const { log, close } = start();
    try {
      const pipelineId = randomUUID();
      const [source, sink] = [uniqueTopic('sales'), uniqueTopic('sales-per-second')];
      await log.ensureTopic(source, { partitions: PARTITIONS });
      const records = [...saleRecords(0, 600), ...closingRecords(T0 + 40_000)];
      await log.produce(source, records);
      // As if the process died between a batch's writes and its offset commit: the first batch
      // with records fails after its handler resolved, so it comes again with its output written.
      let crashed = false;
      const crashing: Log = {
        ...log,
        consume: (options) =>
          log.consume({
            ...options,
            eachBatch: async (batch, context) => {
              await options.eachBatch(batch, context);
              if (!crashed && batch.records.length > 50) {
                crashed = true;
                throw new Error('died before the offset commit');
              }
            },
          }),
      };
      const processor = await startPipelineProcessor({
        log: crashing,
        logger,
        pipelineId,
        version: 1,
        definition: salesPipeline(source, sink, 'at-least-once'),
      });
      const lag = await waitUntilCaughtUp(log, consumerGroupOf(pipelineId), source, CAUGHT_UP_MS);
      await processor.stop();

      expect(crashed).toBe(true);
      expect(lag).toBe(0);
      expect(sunkTotals(await readToEnd(log, sink))).toEqual(expectedTotals(records));
      // Applied again, the batch's sales would count twice in open windows and be late in closed ones.
      expect(await readToEnd(log, deadLetterTopicOf(pipelineId))).toEqual([]);
    } finally {
      await close();
    }
  }, 60_000);

  it('sends every update of a session in onUpdate mode, and a tombstone for a session merged away', async () => {
    const { log, close } = start();
    try {
      const pipelineId = randomUUID();
      const [source, sink] = [uniqueTopic('clicks'), uniqueTopic('sessions')];
      await log.ensureTopic(source, { partitions: 1 });
      const click = (at: number): LogRecord => ({
        key: Buffer.from('u1'),
        value: Buffer.from(JSON.stringify({ user: 'u1' })),
        partition: 0,
        timestamp: T0 + at,
      });
      const processor = await startPipelineProcessor({
        log,
        logger,
        pipelineId,
        version: 1,
        definition: {
          source: { topic: source, format: 'json' },
          steps: [
            {
              kind: 'aggregate',
              window: { type: 'session', gapMs: 3_000 },
              key: 'user',
              measures: [{ name: 'clicks', fn: 'count' }],
              allowedLatenessMs: 10_000,
              emit: 'onUpdate',
            },
          ],
          sink: { topic: sink, format: 'json' },
        },
      });
      const groupId = consumerGroupOf(pipelineId);
      // Two sessions, 4 s apart; then a click between them joins them into one.
      await log.produce(source, [click(0), click(4_000)]);
      expect(await waitUntilCaughtUp(log, groupId, source, CAUGHT_UP_MS)).toBe(0);
      await log.produce(source, [click(2_000)]);
      expect(await waitUntilCaughtUp(log, groupId, source, CAUGHT_UP_MS)).toBe(0);
      await processor.stop();

      // Per Kafka key (window and key), the values in the order sent: a key's records share a partition.
      const updates = new Map<string, string[]>();
      for (const record of await readToEnd(log, sink)) {
        const value = record.value.length === 0 ? 'tombstone' : JSON.parse(record.value.toString()).clicks;
        const key = record.key!.toString();
        updates.set(key, [...(updates.get(key) ?? []), String(value)]);
      }
      const at = (ms: number) => `u1@${new Date(T0 + ms).toISOString()}`;
      expect(Object.fromEntries(updates)).toEqual({ [at(0)]: ['1', '3'], [at(4_000)]: ['1', 'tombstone'] });
    } finally {
      await close();
    }
  }, 60_000);
});

describe('an aggregate pipeline reading a source written in Kafka transactions', () => {
  it('keeps its windows across the offsets that transaction markers take, restoring only at start', async () => {
    const { kafkaBrokers } = testServices();
    const log = logsUnderTest[0]!.open('unused').log;
    const kafka = new Kafka({
      brokers: kafkaBrokers,
      clientId: 'aggregate-markers',
      logLevel: logLevel.NOTHING,
    });
    const producer = kafka.producer({
      transactionalId: `aggregate-markers-${randomUUID()}`,
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    const restores: string[] = [];
    const counting = pino({ level: 'info' }, { write: (line: string) => void restores.push(line) });
    try {
      const pipelineId = randomUUID();
      const [source, sink] = [uniqueTopic('sales-in-transactions'), uniqueTopic('sales-per-second')];
      await log.ensureTopic(source, { partitions: PARTITIONS });
      await producer.connect();
      const processor = await startPipelineProcessor({
        log,
        logger: counting,
        pipelineId,
        version: 1,
        definition: salesPipeline(source, sink, 'exactly-once'),
      });
      // A transaction of 20 sales at a time while the processor reads at the tail: nearly every
      // batch it gets starts after a marker's offset.
      const records = [...saleRecords(0, 600), ...closingRecords(T0 + 40_000)];
      for (let first = 0; first < records.length; first += 20) {
        const transaction = await producer.transaction();
        await transaction.send({
          topic: source,
          messages: records.slice(first, first + 20).map(({ key, value, partition, timestamp }) => ({
            key,
            value,
            partition,
            timestamp: String(timestamp),
          })),
        });
        await transaction.commit();
        await new Promise((resolve) => setTimeout(resolve, 30));
      }
      expect(await waitUntilCaughtUp(log, consumerGroupOf(pipelineId), source, CAUGHT_UP_MS)).toBe(0);
      await processor.stop();

      expect(sunkTotals(await readToEnd(log, sink))).toEqual(expectedTotals(records));
      // One restore per partition per assignment: at start, and again only after a rebalance
      // (which a loaded machine may cause). One per batch would be about 30 per partition.
      const restored = restores
        .filter((line) => line.includes('window state restored'))
        .map((line) => JSON.parse(line) as { partition: number; assignment: number })
        .map(({ partition, assignment }) => `${assignment}/${partition}`);
      expect(new Set(restored.map((restore) => restore.split('/')[1])).size).toBe(PARTITIONS);
      expect(restored).toEqual([...new Set(restored)]);
    } finally {
      await producer.disconnect();
      await log.close();
    }
  }, 60_000);
});
