import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeliveryGuarantee } from '../../../src/domain/pipelines/pipelineDefinition.js';
import { createKafkaLog } from '../../../src/infra/log/kafkaLog.js';
import { consumerGroupOf, startPipelineProcessor } from '../../../src/processors/pipelineProcessor.js';
import { type KafkaBroker, startKafkaBroker } from '../../setup/kafkaBroker.js';
import { uniqueTopic } from '../../setup/testServices.js';
import { waitUntilCaughtUp } from './groupLag.js';
import { compareOrderIds, expectedOrderIds, orderRecords, ordersPipeline } from './orders.js';
import { readToEnd } from './readToEnd.js';

const CHUNK = 500;
const CHUNK_EVERY_MS = 100;
const FLOW_BEFORE_MS = 3_000;
const OUTAGE_MS = 10_000;
const FLOW_AFTER_MS = 3_000;
const CAUGHT_UP_TIMEOUT_MS = 120_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// Its own broker: stopping the shared one would fail every other test file of the run.
describe('pipeline processors through a broker restart', () => {
  let broker: KafkaBroker;

  beforeAll(async () => {
    broker = await startKafkaBroker();
  }, 180_000);

  afterAll(async () => {
    await broker?.stop();
  });

  it('resume by themselves: exactly once sinks every id once, at least once loses none', async () => {
    // Given an exactly-once and an at-least-once pipeline reading the same orders, each
    // processor on a log client of its own, as in separate processes
    const client = createKafkaLog({ brokers: broker.brokers, clientId: 'restart-client' });
    const source = uniqueTopic('orders');
    await client.ensureTopic(source, { partitions: 3 });
    const deliveries: DeliveryGuarantee[] = ['exactly-once', 'at-least-once'];
    const logger = pino({ level: 'warn' }, pino.destination(2));
    const pipelines = await Promise.all(
      deliveries.map(async (delivery) => {
        const log = createKafkaLog({ brokers: broker.brokers, clientId: `restart-${delivery}` });
        const pipelineId = randomUUID();
        const sink = uniqueTopic(`orders-${delivery}`);
        const processor = await startPipelineProcessor({
          log,
          logger,
          pipelineId,
          version: 1,
          definition: ordersPipeline(source, sink, delivery),
        });
        return { delivery, log, sink, groupId: consumerGroupOf(pipelineId), processor };
      }),
    );
    try {
      // When orders flow in while the broker stops for ten seconds and starts again
      let produced = 0;
      let flowing = true;
      const producing = (async () => {
        while (flowing) {
          await client.produce(source, orderRecords(produced, produced + CHUNK));
          produced += CHUNK;
          await sleep(CHUNK_EVERY_MS);
        }
      })();
      await sleep(FLOW_BEFORE_MS);
      const producedBefore = produced;
      await broker.pause();
      await sleep(OUTAGE_MS);
      await broker.resume();
      const resumedAt = Date.now();
      await sleep(FLOW_AFTER_MS);
      flowing = false;
      await producing;
      console.log(`broker restart: ${producedBefore} orders before the outage, ${produced} in all`);

      // Then both processors catch up by themselves
      const lags = await Promise.all(
        pipelines.map(async ({ delivery, log, groupId }) => {
          const lag = await waitUntilCaughtUp(log, groupId, source, CAUGHT_UP_TIMEOUT_MS);
          console.log(
            `broker restart: ${delivery} lag ${lag} ${Date.now() - resumedAt} ms after the broker was back`,
          );
          return lag;
        }),
      );
      await Promise.all(pipelines.map(({ processor }) => processor.stop()));
      const expected = expectedOrderIds(produced);
      const [exactlyOnce, atLeastOnce] = await Promise.all(
        pipelines.map(async ({ sink }) => compareOrderIds(expected, await readToEnd(client, sink))),
      );
      console.log(`broker restart: exactly-once ${JSON.stringify(exactlyOnce)}`);
      console.log(`broker restart: at-least-once ${JSON.stringify(atLeastOnce)}`);

      // And exactly once has every id once, at least once every id
      expect(lags).toEqual([0, 0]);
      expect(exactlyOnce).toEqual({
        records: expected.length,
        distinct: expected.length,
        duplicates: 0,
        missing: 0,
        firstMissing: [],
        firstUnexpected: [],
        firstDuplicated: [],
      });
      expect(atLeastOnce).toMatchObject({
        distinct: expected.length,
        missing: 0,
        firstMissing: [],
        firstUnexpected: [],
      });
    } finally {
      await Promise.all(pipelines.map(({ log }) => log.close()));
      await client.close();
    }
  }, 300_000);
});
