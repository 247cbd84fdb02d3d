import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { DeliveryGuarantee } from '../../../src/domain/pipelines/pipelineDefinition.js';
import { createKafkaLog } from '../../../src/infra/log/kafkaLog.js';
import { consumerGroupOf, deadLetterTopicOf } from '../../../src/processors/pipelineProcessor.js';
import { testServices, uniqueTopic } from '../../setup/testServices.js';
import { evictGroupMembers } from './evictGroupMembers.js';
import { groupLag, waitUntilCaughtUp } from './groupLag.js';
import { compareOrderIds, expectedOrderIds, orderRecords, ordersPipeline } from './orders.js';
import { type ProcessorProcess, spawnProcessor } from './processorProcess.js';
import { readToEnd } from './readToEnd.js';
import { reliabilitySeed, seededRandom } from './seededRandom.js';

const RECORDS = 100_000;
const KILLS = 10;
// The input arrives in one chunk per kill, so every kill falls while records flow.
const CHUNK = RECORDS / KILLS;
// Two processors take about a second for a chunk on two cores: most kills land while it flows.
const MAX_KILL_DELAY_MS = 1_000;
const CAUGHT_UP_TIMEOUT_MS = 120_000;

/**
 * Two processor processes run a pipeline as one group while the input arrives in chunks; after
 * each chunk, at a random moment, one of them is SIGKILLed and a new one joins, ten times. The
 * two left then finish, and the sink is read to its end (read committed).
 */
const runWithKills = async (delivery: DeliveryGuarantee) => {
  const seed = reliabilitySeed();
  const random = seededRandom(seed);
  console.log(`${delivery}: seed ${seed} (RELIABILITY_SEED=${seed} repeats these kills)`);
  const brokers = testServices().kafkaBrokers;
  const log = createKafkaLog({ brokers });
  const pipelineId = randomUUID();
  const groupId = consumerGroupOf(pipelineId);
  const source = uniqueTopic('orders');
  const sink = uniqueTopic('orders-sunk');
  const definition = ordersPipeline(source, sink, delivery);
  const children: ProcessorProcess[] = [];
  const spawnOne = () => {
    const child = spawnProcessor({
      brokers,
      name: `${pipelineId.slice(0, 8)}-child-${children.length + 1}`,
      pipelineId,
      version: 1,
      definition,
    });
    children.push(child);
    return child;
  };
  const startedAt = Date.now();
  try {
    await log.ensureTopic(source, { partitions: 3 });
    let live = [spawnOne(), spawnOne()];
    await Promise.all(live.map((child) => child.ready));
    for (let kill = 1; kill <= KILLS; kill++) {
      await log.produce(source, orderRecords((kill - 1) * CHUNK, kill * CHUNK));
      const delay = Math.floor(random() * MAX_KILL_DELAY_MS);
      const victim = live[Math.floor(random() * live.length)]!;
      await new Promise((resolve) => setTimeout(resolve, delay));
      const lag = await groupLag(log, groupId, source);
      await victim.kill();
      await evictGroupMembers(brokers, groupId, victim.name);
      const replacement = spawnOne();
      live = [...live.filter((child) => child !== victim), replacement];
      console.log(
        `${delivery}: kill ${kill}: ${victim.name} ${delay} ms after chunk ${kill}, ` +
          `${victim.processed()} records processed by it, group lag ${lag}`,
      );
      await replacement.ready;
    }
    // The two left finish: the group's offsets reach the end of the source.
    const lag = await waitUntilCaughtUp(log, groupId, source, CAUGHT_UP_TIMEOUT_MS);
    const caughtUpAfterMs = Date.now() - startedAt;
    await Promise.all(live.map((child) => child.stop()));
    const sunk = await readToEnd(log, sink);
    const deadLetters = [...(await log.endOffsets(deadLetterTopicOf(pipelineId))).values()];
    console.log(`${delivery}: caught up ${caughtUpAfterMs} ms after the first processors were ready`);
    return {
      lag,
      comparison: compareOrderIds(expectedOrderIds(RECORDS), sunk),
      deadLetters: deadLetters.reduce((sum, end) => sum + end, 0),
      childLogs: () => children.map((child) => `--- ${child.name}\n${child.stderr()}`).join('\n'),
    };
  } finally {
    await Promise.all(children.map((child) => child.kill()));
    await log.close();
  }
};

describe('pipeline processors SIGKILLed ten times while 100,000 records flow', () => {
  it('sink every input id exactly once when the pipeline is exactly-once', async () => {
    const { lag, comparison, deadLetters, childLogs } = await runWithKills('exactly-once');
    const expected = expectedOrderIds(RECORDS).length;
    console.log(`exactly-once: ${JSON.stringify(comparison)}`);
    expect(
      { lag, deadLetters, ...comparison },
      lag === 0 && comparison.records === expected && comparison.distinct === expected
        ? undefined
        : childLogs(),
    ).toEqual({
      lag: 0,
      deadLetters: 0,
      records: expected,
      distinct: expected,
      duplicates: 0,
      missing: 0,
      firstMissing: [],
      firstUnexpected: [],
      firstDuplicated: [],
    });
  }, 300_000);

  it('lose no input id when the pipeline is at-least-once (duplicates allowed and counted)', async () => {
    const { lag, comparison, deadLetters, childLogs } = await runWithKills('at-least-once');
    const expected = expectedOrderIds(RECORDS).length;
    console.log(
      `at-least-once: ${comparison.duplicates} duplicates in ${comparison.records} records: ${JSON.stringify(comparison)}`,
    );
    expect(
      {
        lag,
        deadLetters,
        distinct: comparison.distinct,
        missing: comparison.missing,
        firstMissing: comparison.firstMissing,
        firstUnexpected: comparison.firstUnexpected,
      },
      lag === 0 && comparison.missing === 0 ? undefined : childLogs(),
    ).toEqual({
      lag: 0,
      deadLetters: 0,
      distinct: expected,
      missing: 0,
      firstMissing: [],
      firstUnexpected: [],
    });
  }, 300_000);
});
