import { describe, expect, it } from 'vitest';
import type { ConsumedRecord, Log } from '../../../src/infra/log/log.js';
import { uniqueTopic } from '../../setup/testServices.js';
import { collect, numbered, uniqueGroup, untilReceived, valuesOf } from './logTesting.js';

/** Transactional batches (`ConsumeOptions.transactional`), part of the log contract. */
export const logTransactionsContract = (openLog: () => Promise<Log>) =>
  describe('transactional batches', () => {
    it('hides what a batch produced before its handler threw, and delivers the batch again', async () => {
      const log = await openLog();
      const [input, output] = [uniqueTopic('tx-in'), uniqueTopic('tx-out')];
      await log.ensureTopic(input, { partitions: 1 });
      await log.ensureTopic(output, { partitions: 1 });
      const out = await collect(log, { groupId: uniqueGroup(), topics: [output], fromBeginning: true });
      await log.produce(input, numbered('in', 3, 0));
      const attempts: number[][] = [];

      await log.consume({
        groupId: uniqueGroup(),
        topics: [input],
        fromBeginning: true,
        transactional: true,
        async eachBatch(batch, context) {
          attempts.push(batch.records.map((record) => record.offset));
          const failing = attempts.length === 1;
          await context.produce(output, batch.records.map(copiedTo(failing ? 'failed' : 'ok')));
          if (failing) throw new Error('handler failed on purpose');
        },
      });
      await untilReceived(out.records, 3);

      // One output partition: had the first attempt's records become visible, they came first.
      expect(attempts[1]![0]).toBe(attempts[0]![0]);
      expect(valuesOf(out.records)).toEqual(['in0@ok', 'in1@ok', 'in2@ok']);
    });

    it('makes what a batch produced visible and commits its offset when the handler resolves', async () => {
      const [input, output] = [uniqueTopic('tx-in'), uniqueTopic('tx-out')];
      const groupId = uniqueGroup();
      const first = await openLog();
      await first.ensureTopic(input, { partitions: 1 });
      const out = await collect(first, { groupId: uniqueGroup(), topics: [output], fromBeginning: true });
      await first.produce(input, numbered('old', 3, 0));
      const copier = await first.consume({
        groupId,
        topics: [input],
        fromBeginning: true,
        transactional: true,
        async eachBatch(batch, context) {
          await context.produce(output, batch.records.map(copiedTo('ok')));
        },
      });
      await untilReceived(out.records, 3);
      await copier.stop();

      expect(valuesOf(out.records)).toEqual(['old0@ok', 'old1@ok', 'old2@ok']);
      expect(await first.committedOffsets(groupId, input)).toEqual(new Map([[0, 3]]));

      // fromBeginning applies only to a group without a committed offset.
      const second = await openLog();
      await second.produce(input, numbered('new', 2, 0));
      const seen: ConsumedRecord[] = [];
      await second.consume({
        groupId,
        topics: [input],
        fromBeginning: true,
        transactional: true,
        async eachBatch(batch) {
          seen.push(...batch.records);
        },
      });
      await untilReceived(seen, 2);

      expect(valuesOf(seen)).toEqual(['new0', 'new1']);
    });

    it('gives a handler the log itself as context.produce in a consumer that is not transactional', async () => {
      const log = await openLog();
      const [input, output] = [uniqueTopic('plain-in'), uniqueTopic('plain-out')];
      const out = await collect(log, { groupId: uniqueGroup(), topics: [output], fromBeginning: true });
      await log.produce(input, numbered('in', 1, 0));
      let failed = false;

      await log.consume({
        groupId: uniqueGroup(),
        topics: [input],
        fromBeginning: true,
        async eachBatch(batch, context) {
          await context.produce(output, batch.records.map(copiedTo('ok')));
          if (!failed) {
            failed = true;
            throw new Error('handler failed on purpose');
          }
        },
      });
      await untilReceived(out.records, 2);

      // At least once: what the failed attempt produced stays, and the retry produces it again.
      expect(valuesOf(out.records)).toEqual(['in0@ok', 'in0@ok']);
    });
  });

const copiedTo =
  (suffix: string) =>
  (record: ConsumedRecord): { key: Buffer | null; value: Buffer } => ({
    key: record.key,
    value: Buffer.from(`${record.value.toString()}@${suffix}`),
  });
