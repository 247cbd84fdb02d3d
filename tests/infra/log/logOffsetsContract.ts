import { describe, expect, it } from 'vitest';
import type { Log, OffsetReset } from '../../../src/infra/log/log.js';
import { uniqueTopic } from '../../setup/testServices.js';
import { bytes, collect, uniqueGroup, untilReceived, valuesOf } from './logTesting.js';

const T0 = 1_700_000_000_000;

/** Offset queries and resets (`endOffsets`, `committedOffsets`, `resetGroupOffsets`), part of the log contract. */
export const logOffsetsContract = (openLog: () => Promise<Log>) =>
  describe('offsets', () => {
    it('reports per partition the end offsets and what a group committed', async () => {
      const log = await openLog();
      const topic = uniqueTopic('offsets');
      const groupId = uniqueGroup();
      await log.ensureTopic(topic, { partitions: 2 });
      await log.produce(topic, [
        ...[0, 1, 2].map((i) => ({ key: null, value: bytes(`a${i}`), partition: 0 })),
        { key: null, value: bytes('b0'), partition: 1 },
      ]);

      const ends = await log.endOffsets(topic);
      const { records, consumer } = await collect(log, { groupId, topics: [topic], fromBeginning: true });
      await untilReceived(records, 4);
      await consumer.stop();

      expect(ends).toEqual(
        new Map([
          [0, 3],
          [1, 1],
        ]),
      );
      expect(await log.committedOffsets(groupId, topic)).toEqual(
        new Map([
          [0, 3],
          [1, 1],
        ]),
      );
      expect(await log.committedOffsets(uniqueGroup(), topic)).toEqual(new Map());
    });

    it('moves a group back to a timestamp, an offset or the earliest record, and it reads on from there', async () => {
      const log = await openLog();
      const topic = uniqueTopic('reset');
      const groupId = uniqueGroup();
      await log.ensureTopic(topic, { partitions: 1 });
      await log.produce(
        topic,
        [0, 1, 2, 3, 4].map((i) => ({
          key: null,
          value: bytes(`r${i}`),
          partition: 0,
          timestamp: T0 + i * 1000,
        })),
      );
      const readAll = async () => {
        const run = await collect(log, { groupId, topics: [topic], fromBeginning: true });
        return run;
      };
      const first = await readAll();
      await untilReceived(first.records, 5);
      await first.consumer.stop();

      const readAfter = async (to: OffsetReset, count: number) => {
        await log.resetGroupOffsets(groupId, topic, to);
        const run = await readAll();
        await untilReceived(run.records, count);
        await run.consumer.stop();
        return valuesOf(run.records);
      };

      expect(await readAfter({ timestamp: T0 + 2_500 }, 2)).toEqual(['r3', 'r4']);
      expect(await readAfter({ timestamp: T0 + 2_000 }, 3)).toEqual(['r2', 'r3', 'r4']);
      expect(await readAfter({ offset: 1 }, 4)).toEqual(['r1', 'r2', 'r3', 'r4']);
      expect(await readAfter('earliest', 5)).toEqual(['r0', 'r1', 'r2', 'r3', 'r4']);
      await log.resetGroupOffsets(groupId, topic, { timestamp: T0 + 60_000 });
      expect(await log.committedOffsets(groupId, topic)).toEqual(new Map([[0, 5]]));
      await log.resetGroupOffsets(groupId, topic, { offset: 99 });
      expect(await log.committedOffsets(groupId, topic)).toEqual(new Map([[0, 5]]));
    });
  });
