import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import type { PipelineDefinition } from '../../src/domain/pipelines/pipelineDefinition.js';
import type { LogRecord } from '../../src/infra/log/log.js';
import { createRecordDecoder } from '../../src/processors/formats/recordDecoder.js';
import { createRecordEncoder } from '../../src/processors/formats/recordEncoder.js';
import { LINEAGE_HEADER, parseLineage } from '../../src/processors/lineage.js';
import {
  type BatchOutcome,
  DEAD_LETTER_HEADERS,
  deadLetterTopicOf,
  startPipelineProcessor,
} from '../../src/processors/pipelineProcessor.js';
import { readTopic } from '../setup/readTopic.js';
import { createTestSchema, dropTestSchema, testServices, uniqueTopic } from '../setup/testServices.js';
import { logsUnderTest } from './logsUnderTest.js';

const logger = pino({ level: 'silent' });
const ORDER_SCHEMA = JSON.stringify({
  type: 'record',
  name: 'Order',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'amount', type: 'string' },
    { name: 'country', type: 'string' },
  ],
});
const CLEAN_SCHEMA = JSON.stringify({
  type: 'record',
  name: 'CleanOrder',
  fields: [
    { name: 'orderId', type: 'string' },
    { name: 'amount', type: 'double' },
    { name: 'country', type: 'string' },
  ],
});

const jsonRecord = (value: object | string): LogRecord => ({
  key: null,
  value: Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)),
});

const schemas: string[] = [];
afterAll(async () => {
  for (const schema of schemas) await dropTestSchema(testServices().databaseUrl, schema);
});

describe.each(logsUnderTest)('a pipeline processor on $name', (logUnderTest) => {
  const start = () => {
    const schema = createTestSchema('processor');
    schemas.push(schema);
    return logUnderTest.open(schema);
  };

  // A filter, a cast, a rename and a computed field: the shape of most real pipelines.
  const definitionOf = (source: string, sink: string, format: 'json' | 'avro'): PipelineDefinition => ({
    source: { topic: source, format, ...(format === 'avro' && { schema: ORDER_SCHEMA }) },
    steps: [
      { kind: 'filter', expr: 'country != "XX"' },
      { kind: 'cast', fields: { amount: 'double' } },
      { kind: 'rename', fields: { id: 'orderId' } },
    ],
    sink: { topic: sink, format, ...(format === 'avro' && { schema: CLEAN_SCHEMA }) },
  });

  it.each(['json', 'avro'] as const)(
    'sends %s poison records to the DLQ with their reasons, and every good record to the sink',
    async (format) => {
      const { log, close } = start();
      try {
        const pipelineId = randomUUID();
        const source = uniqueTopic(`orders-${format}`);
        const sink = uniqueTopic('orders-clean');
        const definition = definitionOf(source, sink, format);
        const encode = createRecordEncoder({ topic: source, format, schema: ORDER_SCHEMA }).encode;
        const good = (n: number) => ({
          id: `o${n}`,
          amount: String(n * 1.5),
          country: n % 5 === 0 ? 'XX' : 'DE',
        });

        // Given a stream of good records with poison in the middle: unreadable bytes, and a value
        // no cast can turn into a number
        const poison: LogRecord[] =
          format === 'json'
            ? [jsonRecord('{"id": "broken", '), jsonRecord('[1, 2]')]
            : [
                { key: null, value: Buffer.from([0xc3, 0x01, 1, 2, 3]) },
                { key: null, value: Buffer.from('plain text') },
              ];
        const badCast = { key: null, value: encode({ id: 'bad', amount: 'twelve', country: 'DE' }) };
        const records: LogRecord[] = [
          ...Array.from({ length: 20 }, (_, n) => ({ key: null, value: encode(good(n)) })),
          ...poison,
          badCast,
          ...Array.from({ length: 20 }, (_, n) => ({ key: null, value: encode(good(n + 20)) })),
        ];
        await log.produce(
          source,
          records.map((record) => ({ ...record, partition: 0 })),
        );

        // When the pipeline runs
        const outcomes: BatchOutcome[] = [];
        const processor = await startPipelineProcessor({
          log,
          logger,
          pipelineId,
          version: 3,
          definition,
          onBatch: (outcome) => outcomes.push(outcome),
        });
        const expectedGood = Array.from({ length: 40 }, (_, n) => good(n)).filter(
          (order) => order.country !== 'XX',
        );
        const sunk = await readTopic(log, sink, expectedGood.length);
        const dead = await readTopic(log, deadLetterTopicOf(pipelineId), 3);
        await processor.stop();

        // Then every good record arrives, transformed (in source order, once sorted by the source
        // offset each names: unkeyed sink records spread over the sink's partitions)
        const decode = createRecordDecoder({ topic: sink, format, schema: CLEAN_SCHEMA }).decode;
        // (sink records name it in their lineage, dead letters in tributary-source)
        const offsetOf = (record: (typeof sunk)[number]) =>
          parseLineage(record.headers[LINEAGE_HEADER])?.offset ??
          Number(record.headers['tributary-source']?.split('/')[2]);
        sunk.sort((a, b) => offsetOf(a) - offsetOf(b));
        expect(sunk.map((record) => decode(record.value))).toEqual(
          expectedGood.map((order) => ({ orderId: order.id, amount: Number(order.amount), country: 'DE' })),
        );
        expect(parseLineage(sunk[0]?.headers[LINEAGE_HEADER])).toEqual({
          pipelineId,
          version: 3,
          topic: source,
          partition: 0,
          offset: 1,
        });
        // And each poison record is in the DLQ, as it came, naming the step, the reason and its offset
        expect(dead).toHaveLength(3);
        dead.sort((a, b) => offsetOf(a) - offsetOf(b));
        expect(dead.map((record) => record.value)).toEqual([...poison.map((r) => r.value), badCast.value]);
        const headers = dead.map((record) => record.headers);
        expect(headers.map((h) => h[DEAD_LETTER_HEADERS.step])).toEqual([
          'source',
          'source',
          'steps[1] cast',
        ]);
        expect(headers.map((h) => h['tributary-source'])).toEqual([
          `${source}/0/20`,
          `${source}/0/21`,
          `${source}/0/22`,
        ]);
        for (const h of headers) expect(h['tributary-pipeline-version']).toBe('3');
        if (format === 'json') {
          expect(headers[0]?.[DEAD_LETTER_HEADERS.error]).toMatch(/invalid JSON/);
          expect(headers[1]?.[DEAD_LETTER_HEADERS.error]).toMatch(/object/);
        } else {
          expect(headers[0]?.[DEAD_LETTER_HEADERS.error]).toMatch(/invalid Avro/);
          expect(headers[1]?.[DEAD_LETTER_HEADERS.error]).toMatch(/invalid Avro/);
        }
        expect(headers[2]?.[DEAD_LETTER_HEADERS.error]).toMatch(/amount.*twelve/);
        // And the counts account for every record
        const total = outcomes.reduce(
          (sum, { counts }) => ({
            in: sum.in + counts.in,
            out: sum.out + counts.out,
            filtered: sum.filtered + counts.filtered,
            dlq: sum.dlq + counts.dlq,
          }),
          { in: 0, out: 0, filtered: 0, dlq: 0 },
        );
        expect(total).toEqual({
          in: 43,
          out: expectedGood.length,
          filtered: 40 - expectedGood.length,
          dlq: 3,
        });
      } finally {
        await close();
      }
    },
  );

  it('retries a failure that may pass with backoff, then sends the record to the DLQ saying how many attempts', async () => {
    const { log, close } = start();
    try {
      const pipelineId = randomUUID();
      const source = uniqueTopic('customers');
      const sink = uniqueTopic('customers-enriched');
      // Given an enrich step whose Redis is unreachable, and a version that tries 3 times
      const { Redis } = await import('ioredis');
      const redis = new Redis({
        port: 1,
        lazyConnect: true,
        maxRetriesPerRequest: 0,
        enableOfflineQueue: false,
      });
      // Its connection errors are the point here; without a listener ioredis prints each one.
      redis.on('error', () => undefined);
      const waits: number[] = [];
      const processor = await startPipelineProcessor({
        log,
        logger,
        pipelineId,
        version: 1,
        definition: {
          source: { topic: source, format: 'json' },
          steps: [
            {
              kind: 'enrich',
              lookup: { redis: { keyPrefix: 'customer:' } },
              key: 'customerId',
              into: 'customer',
              cacheTtlMs: 0,
              onMissing: 'null',
            },
          ],
          sink: { topic: sink },
          retry: { maxAttempts: 3, backoffMs: 100, maxBackoffMs: 150 },
        },
        dependencies: { redis },
        sleep: async (ms) => {
          waits.push(ms);
        },
      });
      // When a record comes
      await log.produce(source, [jsonRecord({ customerId: 'c1' })]);
      const [dead] = await readTopic(log, deadLetterTopicOf(pipelineId), 1);
      await processor.stop();
      redis.disconnect();

      // Then it was tried 3 times, waiting 100 then 150 ms (doubled, capped), and is dead with the reason
      expect(waits).toEqual([100, 150]);
      expect(dead?.headers[DEAD_LETTER_HEADERS.attempts]).toBe('3');
      expect(dead?.headers[DEAD_LETTER_HEADERS.step]).toBe('steps[0] enrich');
    } finally {
      await close();
    }
  });
});
