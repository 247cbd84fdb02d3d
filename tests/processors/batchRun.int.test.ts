import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type PipelineState,
  pipelineDecider,
  pipelineStreamId,
} from '../../src/domain/pipelines/pipeline.js';
import { pipelineFactsOf, type RunState, runDecider, runStreamId } from '../../src/domain/runs/run.js';
import type { EventStore } from '../../src/infra/eventstore/eventStore.js';
import { handleCommand } from '../../src/infra/eventstore/handleCommand.js';
import { createPostgresEventStore } from '../../src/infra/eventstore/postgresEventStore.js';
import { postgresEventStoreMigrations } from '../../src/infra/eventstore/postgresEventStoreMigrations.js';
import { migrate } from '../../src/infra/postgres/migrate.js';
import { createPostgresPool } from '../../src/infra/postgres/postgresPool.js';
import { executeBatchRun } from '../../src/processors/batchRun.js';
import { processorMigrations } from '../../src/processors/processorMigrations.js';
import { leaderLock } from '../../src/projections/runner/leaderLock.js';
import { readTopic } from '../setup/readTopic.js';
import { createTestSchema, dropTestSchema, testServices, uniqueTopic } from '../setup/testServices.js';
import { logsUnderTest } from './logsUnderTest.js';

const logger = pino({ level: 'silent' });
const { databaseUrl } = testServices();
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

const fold = async <State>(
  eventStore: EventStore,
  streamId: string,
  decider: { initialState: State; evolve: (state: State, event: never) => State },
) =>
  (await eventStore.readStream(streamId)).reduce(
    (state, event) => decider.evolve(state, event as never),
    decider.initialState,
  );

describe.each(logsUnderTest)('a batch run on $name', (logUnderTest) => {
  const setUp = async () => {
    const schema = createTestSchema('batch_run');
    const pool = createPostgresPool({ connectionString: databaseUrl, schema, max: 6 });
    await migrate(pool, schema, [...postgresEventStoreMigrations, ...processorMigrations]);
    const eventStore = createPostgresEventStore({ pool, schema });
    const { log, close } = logUnderTest.open(schema);
    cleanups.push(async () => {
      await close();
      await eventStore.close();
      await pool.end();
      await dropTestSchema(databaseUrl, schema);
    });
    const context = { actor: 'test', occurredAt: new Date().toISOString() };
    const source = uniqueTopic('visits');
    const sink = uniqueTopic('visits-out');
    const pipelineId = randomUUID();
    await handleCommand(
      eventStore,
      pipelineDecider,
      pipelineStreamId(pipelineId),
      {
        type: 'CreatePipeline',
        data: {
          pipelineId,
          name: 'Visits',
          definition: { source: { topic: source, format: 'json' }, steps: [], sink: { topic: sink } },
          createdAt: context.occurredAt,
        },
      },
      context,
    );
    const pipeline = (await fold(eventStore, pipelineStreamId(pipelineId), pipelineDecider)) as Exclude<
      PipelineState,
      { status: 'none' }
    >;
    const runId = randomUUID();
    await handleCommand(
      eventStore,
      runDecider,
      runStreamId(runId),
      {
        type: 'RequestRun',
        data: {
          runId,
          pipelineId,
          version: 1,
          kind: 'batch',
          requestedAt: context.occurredAt,
          pipeline: pipelineFactsOf(pipeline),
        },
      },
      context,
    );
    const run = (await fold(eventStore, runStreamId(runId), runDecider)) as Exclude<
      RunState,
      { status: 'none' }
    >;
    const visits = (from: number, count: number) =>
      Array.from({ length: count }, (_, n) => ({
        key: Buffer.from(`v${from + n}`),
        value: Buffer.from(JSON.stringify({ visit: from + n })),
      }));
    const execute = (isStopping: () => boolean) =>
      executeBatchRun({
        pool,
        schema,
        eventStore,
        log,
        logger,
        owner: 'test',
        run,
        pipeline,
        progressIntervalMs: 200,
        isStopping,
      });
    return { pool, schema, eventStore, log, source, sink, runId, visits, execute };
  };

  it('drains the range fixed at its first start, even when another executor takes it over', async () => {
    const { eventStore, log, source, sink, runId, visits, execute } = await setUp();
    // Given 2,000 records in the source
    await log.produce(source, visits(0, 2_000));

    // When a first executor starts the run and is shut down at once
    expect(await execute(() => true)).toBe('interrupted');
    // And more records arrive after that start
    await log.produce(source, visits(2_000, 500));
    // And a second executor takes the run over
    expect(await execute(() => false)).toBe('finished');

    // Then the sink holds every record of the first 2,000, and none of the later ones
    const out = await readTopic(log, sink, 2_000, 30_000);
    const seen = new Set(
      out.map((record) => (JSON.parse(record.value.toString()) as { visit: number }).visit),
    );
    expect(seen.size).toBe(2_000);
    expect([...seen].every((visit) => visit < 2_000)).toBe(true);
    // And the run completed with every record counted
    const run = await fold(eventStore, runStreamId(runId), runDecider);
    expect(run.status).toBe('completed');
    expect(run.status !== 'none' && run.progress?.counts).toMatchObject({ in: out.length, out: out.length });
  });

  it('is not executed by a second process while the first holds it', async () => {
    const { pool, schema, runId, execute } = await setUp();
    // Given another process executing the run (holding its lock)
    const held = leaderLock({
      connect: () => new pg.Client({ ...pool.options }),
      schema,
      projection: `batch-run:${runId}`,
      onLost: () => undefined,
    });
    expect(await held.tryAcquire()).toBe(true);
    try {
      // When this process tries to execute it, then it leaves it alone
      expect(await execute(() => false)).toBe('busy');
    } finally {
      await held.close();
    }
  });
});
