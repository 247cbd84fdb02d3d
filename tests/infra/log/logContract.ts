import { afterEach, describe, expect, it } from 'vitest';
import type { ConsumedRecord, Log } from '../../../src/infra/log/log.js';
import { uniqueTopic } from '../../setup/testServices.js';
import { logOffsetsContract } from './logOffsetsContract.js';
import {
  bytes,
  collect,
  expectIncreasing,
  numbered,
  uniqueGroup,
  until,
  untilReceived,
  valuesOf,
} from './logTesting.js';
import { logTransactionsContract } from './logTransactionsContract.js';

/** A fresh `Log` over the same service on every call; `cleanup` frees what the factory made for it. */
export type LogFactory = () => Promise<{ log: Log; cleanup?: () => Promise<void> }>;

/**
 * The behaviour of the log port (see `src/infra/log/log.ts`), run unchanged against every adapter.
 * Each test uses its own topics and groups, so adapters may keep state between tests.
 */
export const logContract = (name: string, factory: LogFactory) =>
  describe(`${name} (log contract)`, () => {
    const opened: Array<{ log: Log; cleanup?: () => Promise<void> }> = [];
    const openLog = async () => {
      const made = await factory();
      opened.push(made);
      return made.log;
    };

    afterEach(async () => {
      await Promise.all(
        opened.splice(0).map(async ({ log, cleanup }) => {
          await log.close();
          await cleanup?.();
        }),
      );
    });

    it('delivers a record with the key, value, headers and timestamp it was produced with', async () => {
      const log = await openLog();
      const topic = uniqueTopic('roundtrip');
      const before = Date.now();
      await log.produce(topic, [
        {
          key: bytes('k-1'),
          value: bytes('v-1'),
          headers: { 'trace-id': 't-1', kind: 'a' },
          timestamp: 1_700_000_000_123,
        },
        { key: null, value: Buffer.from([0, 255, 1]) },
      ]);
      const after = Date.now();

      const { records } = await collect(log, {
        groupId: uniqueGroup(),
        topics: [topic],
        fromBeginning: true,
      });
      await untilReceived(records, 2);

      const keyed = records.find((record) => record.key !== null);
      const bare = records.find((record) => record.key === null);
      expect(keyed).toMatchObject({
        topic,
        key: bytes('k-1'),
        value: bytes('v-1'),
        timestamp: 1_700_000_000_123,
      });
      expect(keyed!.headers).toEqual({ 'trace-id': 't-1', kind: 'a' });
      expect(bare).toMatchObject({ topic, key: null, value: Buffer.from([0, 255, 1]), headers: {} });
      expect(bare!.timestamp).toBeGreaterThanOrEqual(before);
      expect(bare!.timestamp).toBeLessThanOrEqual(after + 1_000);
    });

    it('keeps the records of one key in one partition, in produced order, with increasing offsets', async () => {
      const log = await openLog();
      const topic = uniqueTopic('order');
      const keys = ['alpha', 'beta', 'gamma', 'delta'];
      for (let round = 0; round < 5; round++) {
        await log.produce(
          topic,
          keys.flatMap((key) =>
            [0, 1].map((i) => ({ key: bytes(key), value: bytes(`${key}:${round * 2 + i}`) })),
          ),
        );
      }

      const { records } = await collect(log, {
        groupId: uniqueGroup(),
        topics: [topic],
        fromBeginning: true,
      });
      await untilReceived(records, 40);

      for (const key of keys) {
        const ofKey = records.filter((record) => record.key?.toString() === key);
        expect(new Set(ofKey.map((record) => record.partition)).size).toBe(1);
        expect(ofKey.map((record) => record.value.toString())).toEqual(
          Array.from({ length: 10 }, (_, i) => `${key}:${i}`),
        );
        expectIncreasing(ofKey.map((record) => record.offset));
      }
    });

    it('delivers every record to each of two consumer groups', async () => {
      const log = await openLog();
      const topic = uniqueTopic('groups');
      const values = Array.from({ length: 30 }, (_, i) => `r${i}`);
      await log.produce(
        topic,
        values.map((value, i) => ({ key: bytes(`k${i % 7}`), value: bytes(value) })),
      );

      const first = await collect(log, {
        groupId: uniqueGroup(),
        topics: [topic],
        fromBeginning: true,
      });
      const second = await collect(log, {
        groupId: uniqueGroup(),
        topics: [topic],
        fromBeginning: true,
      });
      await Promise.all([untilReceived(first.records, 30), untilReceived(second.records, 30)]);

      expect(valuesOf(first.records).sort()).toEqual([...values].sort());
      expect(valuesOf(second.records).sort()).toEqual([...values].sort());
    });

    it('resumes a restarted group right after its committed offset, losing and repeating nothing', async () => {
      const topic = uniqueTopic('resume');
      const groupId = uniqueGroup();
      const before = await openLog();
      await before.produce(topic, numbered('old', 20, 0));
      const firstRun = await collect(before, { groupId, topics: [topic], fromBeginning: true });
      await untilReceived(firstRun.records, 20);
      await firstRun.consumer.stop();
      await before.close();

      const after = await openLog();
      await after.produce(topic, numbered('new', 10, 0));
      const secondRun = await collect(after, { groupId, topics: [topic], fromBeginning: true });
      await untilReceived(secondRun.records, 10);

      // One partition: a repeated old record would have arrived before the new ones.
      expect(valuesOf(firstRun.records)).toEqual(valuesOf(numbered('old', 20, 0)));
      expect(valuesOf(secondRun.records)).toEqual(valuesOf(numbered('new', 10, 0)));
      expect(secondRun.records[0]!.offset).toBeGreaterThan(firstRun.records.at(-1)!.offset);
    });

    it('delivers a batch again when its handler throws', async () => {
      const log = await openLog();
      const topic = uniqueTopic('retry');
      await log.produce(topic, numbered('r', 5, 0));
      const attempts: number[][] = [];
      const delivered: ConsumedRecord[] = [];

      await log.consume({
        groupId: uniqueGroup(),
        topics: [topic],
        fromBeginning: true,
        async eachBatch(batch) {
          attempts.push(batch.records.map((record) => record.offset));
          if (attempts.length === 1) throw new Error('handler failed on purpose');
          delivered.push(...batch.records);
        },
      });
      await untilReceived(delivered, 5);

      expect(attempts[1]![0]).toBe(attempts[0]![0]);
      expect(valuesOf(delivered)).toEqual(valuesOf(numbered('r', 5, 0)));
    });

    it('leaves a batch whose handler threw uncommitted, for the next consumer of the group', async () => {
      const topic = uniqueTopic('uncommitted');
      const groupId = uniqueGroup();
      const failing = await openLog();
      await failing.produce(topic, numbered('u', 3, 0));
      let failures = 0;
      const consumer = await failing.consume({
        groupId,
        topics: [topic],
        fromBeginning: true,
        async eachBatch() {
          failures++;
          throw new Error('handler failed on purpose');
        },
      });
      await until(() => failures >= 1);
      await consumer.stop();
      await failing.close();

      const next = await openLog();
      // fromBeginning applies only to a group without a committed offset, so had the failed batch
      // been committed, this consumer would start after it.
      const { records } = await collect(next, { groupId, topics: [topic], fromBeginning: true });
      await untilReceived(records, 3);

      expect(valuesOf(records)).toEqual(valuesOf(numbered('u', 3, 0)));
    });

    it('gives a new group without fromBeginning only the records produced after consume resolved', async () => {
      const log = await openLog();
      const topic = uniqueTopic('latest');
      await log.ensureTopic(topic, { partitions: 3 });
      await log.produce(
        topic,
        [0, 1, 2].map((partition) => ({ key: null, value: bytes('old'), partition })),
      );

      const { records } = await collect(log, {
        groupId: uniqueGroup(),
        topics: [topic],
        fromBeginning: false,
      });
      await log.produce(
        topic,
        [0, 1, 2].map((partition) => ({ key: null, value: bytes('new'), partition })),
      );
      await untilReceived(records, 3);

      // Per partition the old record precedes the new one, so it would have arrived first.
      expect(valuesOf(records)).toEqual(['new', 'new', 'new']);
      expect(new Set(records.map((record) => record.partition))).toEqual(new Set([0, 1, 2]));
    });

    it('delivers every record that concurrent producers write to one partition, in offset order', async () => {
      const topic = uniqueTopic('concurrent');
      const reader = await openLog();
      await reader.ensureTopic(topic, { partitions: 1 });
      const { records } = await collect(reader, {
        groupId: uniqueGroup(),
        topics: [topic],
        fromBeginning: true,
      });

      const producers = await Promise.all(Array.from({ length: 10 }, () => openLog()));
      await Promise.all(
        producers.map(async (producer, p) => {
          for (let i = 0; i < 50; i++)
            await producer.produce(topic, [{ key: null, value: bytes(`p${p}:${i}`), partition: 0 }]);
        }),
      );
      await untilReceived(records, 500, 60_000);

      expectIncreasing(records.map((record) => record.offset));
      expect(records).toHaveLength(500);
      producers.forEach((_, p) => {
        const own = valuesOf(records).filter((value) => value.startsWith(`p${p}:`));
        expect(own).toEqual(Array.from({ length: 50 }, (_, i) => `p${p}:${i}`));
      });
    }, 120_000);

    it('reads one partition from its first record to its end when asked, tombstones kept, without a group', async () => {
      const log = await openLog();
      const topic = uniqueTopic('read-partition');
      await log.ensureTopic(topic, { partitions: 2, compacted: true });
      await log.produce(topic, [
        { key: bytes('a'), value: bytes('a1'), partition: 1, timestamp: 1_700_000_000_001 },
        { key: bytes('x'), value: bytes('other partition'), partition: 0 },
        { key: bytes('b'), value: bytes('b1'), partition: 1 },
        { key: bytes('a'), value: null, partition: 1 },
      ]);

      const read: Array<{ key: string | undefined; value: string | null; offset: number }> = [];
      await log.readPartition(topic, 1, (records) => {
        for (const { key, value, offset } of records)
          read.push({ key: key?.toString(), value: value?.toString() ?? null, offset });
      });
      // Produced once the read is over: past the end it was asked for, so a second read has it.
      await log.produce(topic, [{ key: bytes('c'), value: bytes('c1'), partition: 1 }]);

      // Compaction may drop a superseded record any time, but never the latest of a key.
      expect(read.at(-1)).toMatchObject({ key: 'a', value: null });
      expect(read.filter((record) => record.key === 'b')).toMatchObject([{ value: 'b1' }]);
      expect(read.every((record) => record.key !== 'x' && record.key !== 'c')).toBe(true);
      expectIncreasing(read.map((record) => record.offset));
      const again: string[] = [];
      await log.readPartition(topic, 1, (records) => {
        for (const { value } of records) again.push(value?.toString() ?? 'tombstone');
      });
      expect(again.slice(-2)).toEqual(['tombstone', 'c1']);
      expect(await log.committedOffsets(uniqueGroup(), topic)).toEqual(new Map());
    });

    it('reads nothing from an unknown topic or an empty partition', async () => {
      const log = await openLog();
      const topic = uniqueTopic('read-empty');
      const read: unknown[] = [];
      await log.readPartition(topic, 0, (records) => void read.push(...records));
      await log.ensureTopic(topic, { partitions: 2 });
      await log.produce(topic, [{ key: null, value: bytes('only in 0'), partition: 0 }]);
      await log.readPartition(topic, 1, (records) => void read.push(...records));
      expect(read).toEqual([]);
    });

    it('delivers a tombstone to consumers as an empty value', async () => {
      const log = await openLog();
      const topic = uniqueTopic('tombstone');
      await log.produce(topic, [{ key: bytes('gone'), value: null }]);
      const { records } = await collect(log, {
        groupId: uniqueGroup(),
        topics: [topic],
        fromBeginning: true,
      });
      await untilReceived(records, 1);
      expect(records[0]).toMatchObject({ key: bytes('gone'), value: Buffer.alloc(0) });
    });

    logTransactionsContract(openLog);
    logOffsetsContract(openLog);
  });
