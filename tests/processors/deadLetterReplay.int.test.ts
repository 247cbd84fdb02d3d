import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { createKafkaLog } from '../../src/infra/log/kafkaLog.js';
import type { ConsumedRecord, Log, LogRecord } from '../../src/infra/log/log.js';
import { createPostgresLog } from '../../src/infra/log/postgresLog.js';
import { createPostgresPool } from '../../src/infra/postgres/postgresPool.js';
import {
  type DeadLetterReplayProgress,
  deadLetterReplayGroupOf,
  replayDeadLetters,
} from '../../src/processors/deadLetterReplay.js';
import { deadLetterTopicOf } from '../../src/processors/pipelineProcessor.js';
import { createTestSchema, dropTestSchema, testServices, uniqueTopic } from '../setup/testServices.js';
import { waitFor } from '../setup/waitFor.js';

const { databaseUrl, kafkaBrokers } = testServices();
const schema = createTestSchema('dlq_replay');
const pool = createPostgresPool({ connectionString: databaseUrl, schema, max: 4 });

const logs: Log[] = [];
afterAll(async () => {
  await Promise.all(logs.map((log) => log.close()));
  await pool.end();
  await dropTestSchema(databaseUrl, schema);
});

const adapters: [string, () => Log][] = [
  ['kafkaLog', () => createKafkaLog({ brokers: kafkaBrokers, clientId: 'dlq-replay-test' })],
  ['postgresLog', () => createPostgresLog({ pool, schema })],
];

/** A record the processor would have sent to the DLQ: the source record with lineage and the reason. */
const deadLetter = (n: number, pipelineId: string): LogRecord => ({
  key: Buffer.from(`order-${n}`),
  value: Buffer.from(n % 2 ? `{"id": ${n}, "amt":` : `[${n}]`),
  timestamp: 1_767_225_600_000 + n,
  headers: {
    'trace-id': `t-${n}`,
    'tributary-error':
      n % 2 ? 'invalid JSON: Unexpected end of JSON input' : 'transform failed: not an object',
    'tributary-pipeline-id': pipelineId,
    'tributary-pipeline-version': '2',
    'tributary-step': 'steps[0]',
    'tributary-source': `orders/${n % 3}/${100 + n}`,
  },
});

/** Every record of the topic, read with a group of its own, once `count` have arrived. */
const readAll = async (log: Log, topic: string, count: number) => {
  const records: ConsumedRecord[] = [];
  const consumer = await log.consume({
    groupId: `test-read-${randomBytes(4).toString('hex')}`,
    topics: [topic],
    fromBeginning: true,
    eachBatch: async (batch) => {
      records.push(...batch.records);
    },
  });
  try {
    await waitFor(async () => records.length >= count, 30_000);
    // A moment more, to see that no record beyond `count` arrives.
    await new Promise((resolve) => setTimeout(resolve, 500));
    return records.sort((a, b) => a.key!.toString().localeCompare(b.key!.toString()));
  } finally {
    await consumer.stop();
  }
};

describe.each(adapters)('replaying dead letters on %s', (_name, open) => {
  const log = open();
  logs.push(log);

  it('produces each dead letter back to the source with its key, value, timestamp and own headers, once', async () => {
    const pipelineId = `p-${randomBytes(4).toString('hex')}`;
    const dlq = deadLetterTopicOf(pipelineId);
    const source = uniqueTopic('orders');
    const letters = [1, 2, 3, 4, 5].map((n) => deadLetter(n, pipelineId));
    await log.produce(dlq, letters);
    const progress: DeadLetterReplayProgress[] = [];

    const first = await replayDeadLetters({
      log,
      pipelineId,
      sourceTopic: source,
      onProgress: (p) => progress.push(p),
    });

    expect(first).toEqual({ replayed: 5 });
    expect(progress[0]).toEqual({ replayed: 0, total: 5 });
    expect(progress.at(-1)).toEqual({ replayed: 5, total: 5 });
    const replayed = await readAll(log, source, 5);
    expect(replayed).toHaveLength(5);
    const dlqPartitions = new Map(
      (await readAll(log, dlq, 5)).map((record) => [record.key!.toString(), record]),
    );
    replayed.forEach((record, index) => {
      const letter = letters[index]!;
      const original = dlqPartitions.get(letter.key!.toString())!;
      expect(record).toMatchObject({
        topic: source,
        key: letter.key,
        value: letter.value,
        timestamp: letter.timestamp,
      });
      expect(record.headers).toEqual({
        'trace-id': `t-${index + 1}`,
        'tributary-replayed-from': `${dlq}/${original.partition}/${original.offset}`,
      });
    });
    expect(await log.committedOffsets(deadLetterReplayGroupOf(pipelineId), dlq)).toEqual(
      await log.endOffsets(dlq),
    );

    // Again: nothing new. Then only the dead letters that arrived since.
    expect(await replayDeadLetters({ log, pipelineId, sourceTopic: source })).toEqual({ replayed: 0 });
    await log.produce(dlq, [deadLetter(6, pipelineId), deadLetter(7, pipelineId)]);
    expect(await replayDeadLetters({ log, pipelineId, sourceTopic: source })).toEqual({ replayed: 2 });
    expect((await readAll(log, source, 7)).map((record) => record.key!.toString())).toEqual(
      [1, 2, 3, 4, 5, 6, 7].map((n) => `order-${n}`),
    );
  });

  it('replays nothing, and creates the DLQ topic, for a pipeline that never had a dead letter', async () => {
    const pipelineId = `p-${randomBytes(4).toString('hex')}`;
    const progress: DeadLetterReplayProgress[] = [];

    const result = await replayDeadLetters({
      log,
      pipelineId,
      sourceTopic: uniqueTopic('orders'),
      onProgress: (p) => progress.push(p),
    });

    expect(result).toEqual({ replayed: 0 });
    expect(progress).toEqual([]);
    expect([...(await log.endOffsets(deadLetterTopicOf(pipelineId))).values()]).toEqual([0, 0, 0]);
  });

  it('takes turns between two replays at once in one process: the second finds nothing left', async () => {
    const pipelineId = `p-${randomBytes(4).toString('hex')}`;
    const source = uniqueTopic('orders');
    await log.produce(
      deadLetterTopicOf(pipelineId),
      Array.from({ length: 30 }, (_, n) => deadLetter(n, pipelineId)),
    );
    const other = open();
    logs.push(other);

    const both = await Promise.all([
      replayDeadLetters({ log, pipelineId, sourceTopic: source }),
      replayDeadLetters({ log: other, pipelineId, sourceTopic: source }),
    ]);

    expect(both).toEqual([{ replayed: 30 }, { replayed: 0 }]);
    expect(await readAll(log, source, 30)).toHaveLength(30);
  });
});
