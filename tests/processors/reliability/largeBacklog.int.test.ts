import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createKafkaLog } from '../../../src/infra/log/kafkaLog.js';
import { consumerGroupOf, startPipelineProcessor } from '../../../src/processors/pipelineProcessor.js';
import { testServices, uniqueTopic } from '../../setup/testServices.js';
import { waitUntilCaughtUp } from './groupLag.js';
import { compareOrderIds, expectedOrderIds, orderRecords, ordersPipeline } from './orders.js';
import { readToEnd } from './readToEnd.js';

// About 2 MB of orders a partition, produced as a steady stream does (small sends), so one fetch
// brings a full 1 MiB of a partition: a processor that was down, or waited out a rebalance, meets
// such a backlog. Its output for that fetch is larger still, with the lineage headers on top.
const RECORDS = 30_000;
const SEND = 500;
const CAUGHT_UP_TIMEOUT_MS = 30_000;

describe.each(['exactly-once', 'at-least-once'] as const)(
  'a %s processor started on a backlog',
  (delivery) => {
    it('sinks every order of a backlog larger than one fetch, each once', async () => {
      // Given 30,000 orders waiting on three partitions
      const log = createKafkaLog({ brokers: testServices().kafkaBrokers });
      const pipelineId = randomUUID();
      const source = uniqueTopic('orders-backlog');
      const sink = uniqueTopic('orders-backlog-sunk');
      try {
        await log.ensureTopic(source, { partitions: 3 });
        for (let from = 0; from < RECORDS; from += SEND)
          await log.produce(source, orderRecords(from, from + SEND));

        // When the pipeline starts on them
        const processor = await startPipelineProcessor({
          log,
          logger: pino({ level: 'warn' }, pino.destination(2)),
          pipelineId,
          version: 1,
          definition: ordersPipeline(source, sink, delivery),
        });
        const startedAt = Date.now();
        const lag = await waitUntilCaughtUp(log, consumerGroupOf(pipelineId), source, CAUGHT_UP_TIMEOUT_MS);
        console.log(`${delivery} backlog: lag ${lag} after ${Date.now() - startedAt} ms`);
        await processor.stop();

        // Then every order that passes the filter is in the sink once
        const expected = expectedOrderIds(RECORDS);
        const comparison = compareOrderIds(expected, await readToEnd(log, sink));
        expect({ lag, ...comparison }).toEqual({
          lag: 0,
          records: expected.length,
          distinct: expected.length,
          duplicates: 0,
          missing: 0,
          firstMissing: [],
          firstUnexpected: [],
          firstDuplicated: [],
        });
      } finally {
        await log.close();
      }
    }, 120_000);
  },
);
