import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKafkaLog } from '../../../src/infra/log/kafkaLog.js';
import type { Log } from '../../../src/infra/log/log.js';
import { type KafkaBroker, startKafkaBroker } from '../../setup/kafkaBroker.js';
import { uniqueTopic } from '../../setup/testServices.js';
import { bytes, collect, uniqueGroup, untilReceived, valuesOf } from './logTesting.js';

// Longer than kafkajs' retries last (about 12 s under test, 10 s otherwise), so consumers crash.
const OUTAGE_MS = 60_000;

// Its own broker: stopping the shared one would fail every other test file of the run.
describe('kafkaLog through a broker outage', () => {
  let broker: KafkaBroker;
  let log: Log | undefined;

  beforeAll(async () => {
    broker = await startKafkaBroker();
  }, 180_000);

  afterAll(async () => {
    await log?.close();
    await broker?.stop();
  });

  it('resumes consumers and completes waiting produce calls when the broker is back, losing and repeating nothing', async () => {
    log = createKafkaLog({ brokers: broker.brokers, clientId: 'log-outage' });
    const [input, output] = [uniqueTopic('outage-in'), uniqueTopic('outage-out')];
    await log.ensureTopic(input, { partitions: 3 });
    await log.ensureTopic(output, { partitions: 3 });
    const out = await collect(log, { groupId: uniqueGroup(), topics: [output], fromBeginning: true });
    await log.consume({
      groupId: uniqueGroup(),
      topics: [input],
      fromBeginning: true,
      transactional: true,
      async eachBatch(batch, context) {
        await context.produce(
          output,
          batch.records.map((record) => ({ key: record.key, value: record.value })),
        );
      },
    });
    const produceRange = async (from: number, to: number) => {
      for (let i = from; i < to; i++)
        await log!.produce(input, [{ key: bytes(`k${i % 7}`), value: bytes(`v${i}`) }]);
    };
    await produceRange(0, 50);
    await untilReceived(out.records, 50);

    await broker.pause();
    const producing = produceRange(50, 100);
    await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS));
    await broker.resume();
    await producing;
    await untilReceived(out.records, 100, 120_000);
    // Anything output twice would arrive within this pause.
    await new Promise((resolve) => setTimeout(resolve, 2_000));

    const values = valuesOf(out.records);
    expect(new Set(values)).toEqual(new Set(Array.from({ length: 100 }, (_, i) => `v${i}`)));
    expect(values).toHaveLength(100);
  }, 360_000);
});
