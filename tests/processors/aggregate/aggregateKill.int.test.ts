import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createKafkaLog } from '../../../src/infra/log/kafkaLog.js';
import type { LogRecord } from '../../../src/infra/log/log.js';
import { consumerGroupOf, deadLetterTopicOf } from '../../../src/processors/pipelineProcessor.js';
import { testServices, uniqueTopic } from '../../setup/testServices.js';
import { evictGroupMembers } from '../reliability/evictGroupMembers.js';
import { groupLag, waitUntilCaughtUp } from '../reliability/groupLag.js';
import { type ProcessorProcess, spawnProcessor } from '../reliability/processorProcess.js';
import { readToEnd } from '../reliability/readToEnd.js';
import { reliabilitySeed, seededRandom } from '../reliability/seededRandom.js';
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

const SALES = 30_000;
const KILLS = 3;
// The input arrives in one chunk per kill, so every kill falls while records flow and windows
// are open (each chunk ends inside a window of every partition).
const CHUNK = SALES / KILLS + 7;
const MAX_KILL_DELAY_MS = 800;
const CAUGHT_UP_TIMEOUT_MS = 30_000;

describe('an exactly-once aggregate pipeline whose processor is SIGKILLed in the middle of open windows', () => {
  it('emits, after restarts, exactly the window results of an uninterrupted run', async () => {
    const seed = reliabilitySeed();
    const random = seededRandom(seed);
    console.log(`aggregate kills: seed ${seed} (RELIABILITY_SEED=${seed} repeats these kills)`);
    const brokers = testServices().kafkaBrokers;
    const log = createKafkaLog({ brokers });
    const pipelineId = randomUUID();
    const groupId = consumerGroupOf(pipelineId);
    const [source, sink] = [uniqueTopic('sales'), uniqueTopic('sales-per-second')];
    const definition = salesPipeline(source, sink, 'exactly-once');
    const children: ProcessorProcess[] = [];
    const spawnOne = () => {
      const child = spawnProcessor({
        brokers,
        name: `${pipelineId.slice(0, 8)}-aggregate-${children.length + 1}`,
        pipelineId,
        version: 1,
        definition,
      });
      children.push(child);
      return child;
    };
    const produced: LogRecord[] = [];
    const produce = async (records: LogRecord[]) => {
      produced.push(...records);
      await log.produce(source, records);
    };
    try {
      await log.ensureTopic(source, { partitions: PARTITIONS });
      let live = spawnOne();
      await live.ready;
      for (let kill = 1; kill <= KILLS; kill++) {
        await produce(saleRecords((kill - 1) * CHUNK, Math.min(kill * CHUNK, SALES)));
        await live.firstBatch;
        await new Promise((resolve) => setTimeout(resolve, Math.floor(random() * MAX_KILL_DELAY_MS)));
        const lag = await groupLag(log, groupId, source);
        await live.kill();
        await evictGroupMembers(brokers, groupId, live.name);
        console.log(
          `aggregate kill ${kill}: ${live.processed()} records processed by ${live.name}, group lag ${lag}`,
        );
        live = spawnOne();
        await live.ready;
      }
      // Closes every window the sales opened.
      await produce(closingRecords(T0 + SALES * SALE_EVERY_MS + 5_000));
      const lag = await waitUntilCaughtUp(log, groupId, source, CAUGHT_UP_TIMEOUT_MS);
      await live.stop();
      const sunk = sunkTotals(await readToEnd(log, sink));
      const deadLetters = [...(await log.endOffsets(deadLetterTopicOf(pipelineId))).values()];
      const expected = expectedTotals(produced);
      const childLogs = () => children.map((child) => `--- ${child.name}\n${child.stderr()}`).join('\n');

      expect(expected).toHaveLength(SALES);
      expect(lag, childLogs()).toBe(0);
      expect(deadLetters.reduce((total, end) => total + end, 0)).toBe(0);
      // Sorted lines, duplicates kept: a window emitted twice, lost or counted wrong shows here.
      expect(sunk.length, childLogs()).toBe(expected.length);
      expect(sunk).toEqual(expected);
    } finally {
      await Promise.all(children.map((child) => child.kill()));
      await log.close();
    }
  }, 90_000);
});
