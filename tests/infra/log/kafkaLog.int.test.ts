import { afterEach, describe, expect, it } from 'vitest';
import { createKafkaLog } from '../../../src/infra/log/kafkaLog.js';
import type { ConsumedBatch, Log } from '../../../src/infra/log/log.js';
import { testServices, uniqueTopic } from '../../setup/testServices.js';
import { logContract } from './logContract.js';
import { bytes, collect, uniqueGroup, untilReceived, valuesOf } from './logTesting.js';

const { kafkaBrokers } = testServices();

// Topics and groups are unique per test, so every log shares the run's one broker.
logContract('kafkaLog', async () => ({
  log: createKafkaLog({ brokers: kafkaBrokers, clientId: 'log-contract' }),
}));

describe('kafkaLog transactional consumers sharing a group', () => {
  const opened: Log[] = [];
  const openLog = () => {
    const log = createKafkaLog({ brokers: kafkaBrokers, clientId: 'log-fencing' });
    opened.push(log);
    return log;
  };
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((log) => log.close()));
  });

  it('hands partitions to a consumer that joins and then to the one that stays, outputting every record once', async () => {
    const [input, output] = [uniqueTopic('fence-in'), uniqueTopic('fence-out')];
    const groupId = uniqueGroup();
    const source = openLog();
    await source.ensureTopic(input, { partitions: 3 });
    const out = await collect(source, { groupId: uniqueGroup(), topics: [output], fromBeginning: true });
    const handledBy = new Map<string, Set<string>>();
    const copier = (name: string) => async (batch: ConsumedBatch, context: { produce: Log['produce'] }) => {
      for (const record of batch.records) {
        const seen = handledBy.get(record.value.toString()) ?? new Set();
        handledBy.set(record.value.toString(), seen.add(name));
      }
      await context.produce(
        output,
        batch.records.map((record) => ({ key: record.key, value: record.value })),
      );
      // Batches take a while, so joins and leaves happen while transactions are open.
      await new Promise((resolve) => setTimeout(resolve, 30));
    };
    const produceRange = async (from: number, to: number) => {
      for (let i = from; i < to; i += 10) {
        await source.produce(
          input,
          Array.from({ length: 10 }, (_, j) => ({
            key: bytes(`k${(i + j) % 13}`),
            value: bytes(`v${i + j}`),
          })),
        );
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };

    const first = await openLog().consume({
      groupId,
      topics: [input],
      fromBeginning: true,
      transactional: true,
      eachBatch: copier('first'),
    });
    await produceRange(0, 100);
    const secondLog = openLog();
    const joining = secondLog.consume({
      groupId,
      topics: [input],
      fromBeginning: true,
      transactional: true,
      eachBatch: copier('second'),
    });
    await produceRange(100, 200);
    await joining;
    await produceRange(200, 300);
    await first.stop();
    await produceRange(300, 400);
    await untilReceived(out.records, 400, 60_000);
    // Anything output twice would arrive within this pause.
    await new Promise((resolve) => setTimeout(resolve, 2_000));

    const values = valuesOf(out.records);
    expect(values).toHaveLength(400);
    expect(new Set(values).size).toBe(400);
    expect([...handledBy.values()].some((names) => names.has('second'))).toBe(true);
  }, 120_000);
});
