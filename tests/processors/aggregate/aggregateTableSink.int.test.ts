import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { connectorDecider, connectorStreamId } from '../../../src/domain/connectors/connector.js';
import { createSecretCipher } from '../../../src/infra/crypto/secretCipher.js';
import { handleCommand } from '../../../src/infra/eventstore/handleCommand.js';
import { createPostgresEventStore } from '../../../src/infra/eventstore/postgresEventStore.js';
import { postgresEventStoreMigrations } from '../../../src/infra/eventstore/postgresEventStoreMigrations.js';
import { migrate } from '../../../src/infra/postgres/migrate.js';
import { createPostgresPool } from '../../../src/infra/postgres/postgresPool.js';
import { consumerGroupOf, startPipelineProcessor } from '../../../src/processors/pipelineProcessor.js';
import { createTestSchema, dropTestSchema, testServices, uniqueTopic } from '../../setup/testServices.js';
import { logsUnderTest } from '../logsUnderTest.js';
import { waitUntilCaughtUp } from '../reliability/groupLag.js';
import {
  closingRecords,
  expectedTotals,
  PARTITIONS,
  saleRecords,
  salesPipeline,
  T0,
} from './windowedSales.js';

const logger = pino({ level: 'silent' });
const { databaseUrl } = testServices();
const cipher = createSecretCipher({ keys: { k1: randomBytes(32) }, activeKeyId: 'k1' });
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** A schema of its own with an event store, and the log under test in it; dropped after the file. */
const setUp = async (name: string, logUnderTest: (typeof logsUnderTest)[number]) => {
  const schema = createTestSchema(name);
  const pool = createPostgresPool({ connectionString: databaseUrl, schema, max: 4 });
  await migrate(pool, schema, postgresEventStoreMigrations);
  const eventStore = createPostgresEventStore({ pool, schema });
  const { log, close } = logUnderTest.open(schema);
  cleanups.push(async () => {
    await close();
    await eventStore.close();
    await pool.end();
    await dropTestSchema(databaseUrl, schema);
  });
  return { schema, eventStore, log };
};

describe.each(logsUnderTest)(
  'an aggregate pipeline writing to a PostgreSQL table on $name',
  (logUnderTest) => {
    it('given a postgres-table sink connector, when windows close, then each window and key is one row of the table, once, even when a batch comes again', async () => {
      const { schema, eventStore, log } = await setUp('aggregate_table', logUnderTest);
      // Given a sink connector naming a table (in this test's schema) and its database, encrypted.
      const connectorId = randomUUID();
      const table = `${schema}.sales_per_second`;
      await handleCommand(
        eventStore,
        connectorDecider,
        connectorStreamId(connectorId),
        {
          type: 'CreateConnector',
          data: {
            connectorId,
            name: 'Sales per second',
            direction: 'sink',
            kind: 'postgres-table',
            config: { connectionString: cipher.encrypt(databaseUrl), table, keyColumns: ['key'] },
            createdAt: new Date().toISOString(),
          },
        },
        { actor: 'test', occurredAt: new Date().toISOString() },
      );
      const source = uniqueTopic('sales');
      await log.ensureTopic(source, { partitions: PARTITIONS });
      const records = [...saleRecords(0, 200), ...closingRecords(T0 + 60_000)];
      await log.produce(source, records);

      // When the pipeline runs to the end of its source, twice (the second from the start again).
      const definition = { ...salesPipeline(source, 'unused'), sink: { connectorId } };
      const pipelineId = randomUUID();
      for (const round of [1, 2]) {
        const processor = await startPipelineProcessor({
          log,
          logger,
          eventStore,
          secretCipher: cipher,
          pipelineId,
          version: 1,
          // The second round reads everything again in a group of its own, with no state.
          ...(round === 2 && { groupId: `${consumerGroupOf(pipelineId)}.again` }),
          definition,
        });
        await waitUntilCaughtUp(
          log,
          round === 2 ? `${consumerGroupOf(pipelineId)}.again` : consumerGroupOf(pipelineId),
          source,
          30_000,
        );
        await processor.stop();
      }

      // Then the table holds each closed window once, with its measures.
      const client = new pg.Client({ connectionString: databaseUrl });
      await client.connect();
      try {
        const { rows } = await client.query<{
          key: string;
          window_start: Date;
          total: number;
          sales: number;
        }>(
          `SELECT key, window_start, (measures->>'total')::float8 AS total, (measures->>'sales')::int AS sales
           FROM ${table}`,
        );
        const lines = rows
          .map((row) => `${row.key}@${row.window_start.toISOString()} ${row.total}/${row.sales}`)
          .sort();
        expect(lines).toEqual(expectedTotals(records));
        expect(lines.length).toBeGreaterThan(100);
      } finally {
        await client.end();
      }
    }, 90_000);

    it('refuses to start a version whose sink connector does not exist, or that has no aggregate step for it, saying why', async () => {
      const { eventStore, log } = await setUp('aggregate_table_refused', logUnderTest);
      const start = (definition: ReturnType<typeof salesPipeline>) =>
        startPipelineProcessor({
          log,
          logger,
          eventStore,
          secretCipher: cipher,
          pipelineId: randomUUID(),
          version: 1,
          definition,
        });
      const source = uniqueTopic('sales');
      const missing = randomUUID();
      await expect(
        start({ ...salesPipeline(source, 'unused'), sink: { connectorId: missing } }),
      ).rejects.toThrow(`the sink connector "${missing}" does not exist`);
      const noAggregate = { ...salesPipeline(source, 'unused'), steps: [], sink: { connectorId: missing } };
      await expect(start(noAggregate)).rejects.toThrow(
        'a connector sink takes the window results of an aggregate step',
      );
    });
  },
);
