import pg from 'pg';
import { pino } from 'pino';
import type { EventStore } from '../../../src/infra/eventstore/eventStore.js';
import { createPostgresEventStore } from '../../../src/infra/eventstore/postgresEventStore.js';
import { postgresEventStoreMigrations } from '../../../src/infra/eventstore/postgresEventStoreMigrations.js';
import { migrate } from '../../../src/infra/postgres/migrate.js';
import { createPostgresPool } from '../../../src/infra/postgres/postgresPool.js';
import type { Projection } from '../../../src/projections/projection.js';
import { projectionRunnerMigrations } from '../../../src/projections/projectionMigrations.js';
import { type ProjectionRunner, startProjection } from '../../../src/projections/projectionRunner.js';
import { LOCK_CLASS, projectionLockKey } from '../../../src/projections/runner/generationNames.js';
import type { ProjectionStatusRow } from '../../../src/projections/runner/projectionStatusRow.js';
import { createTestSchema, testServices } from '../../setup/testServices.js';

/**
 * A read model made for these tests: `tallies` counts `Counted` events per id, guarded by
 * position like every real projection, and `tally_log` records every application that
 * committed, unguarded, so an event applied twice shows up as two rows.
 * `failOn` makes `apply` throw on the events it matches (a poison event).
 */
export const tallyProjection = (
  name = 'tally',
  options: { failOn?: (data: { id: string }) => boolean; delayMs?: number } = {},
): Projection => ({
  name,
  tables: [`${name}_counts`, `${name}_log`],
  migrations: [
    {
      id: `${name}-001`,
      sql: `CREATE TABLE ${name}_counts (id text PRIMARY KEY, count int NOT NULL, last_position bigint NOT NULL);
            CREATE TABLE ${name}_log (position bigint NOT NULL, id text NOT NULL);`,
    },
  ],
  async apply(client, events) {
    const updates = [];
    for (const event of events) {
      if (event.type !== 'Counted') continue;
      const data = event.data as { id: string };
      if (options.failOn?.(data)) throw new Error(`cannot count ${data.id}`);
      const { rowCount } = await client.query(
        `INSERT INTO ${name}_counts (id, count, last_position) VALUES ($1, 1, $2)
         ON CONFLICT (id) DO UPDATE SET count = ${name}_counts.count + 1, last_position = EXCLUDED.last_position
         WHERE ${name}_counts.last_position < EXCLUDED.last_position`,
        [data.id, event.position],
      );
      await client.query(`INSERT INTO ${name}_log (position, id) VALUES ($1, $2)`, [event.position, data.id]);
      if (rowCount)
        updates.push({ topic: `${name}Changed`, payload: { id: data.id, position: event.position } });
    }
    if (options.delayMs) await new Promise((resolve) => setTimeout(resolve, options.delayMs));
    return updates;
  },
});

/**
 * A schema with the event store and the runner's tables, and helpers to run projections on it.
 * `walkingSkeleton` stops the runner's tables where the walking skeleton left them (checkpoints only).
 */
export const runnerTestBed = async (options: { migrations?: 'current' | 'walkingSkeleton' } = {}) => {
  const { databaseUrl } = testServices();
  const schema = createTestSchema('runner');
  const pool = createPostgresPool({ connectionString: databaseUrl, schema, max: 6 });
  const runnerMigrations =
    options.migrations === 'walkingSkeleton'
      ? projectionRunnerMigrations.slice(0, 1)
      : projectionRunnerMigrations;
  await migrate(pool, schema, [...postgresEventStoreMigrations, ...runnerMigrations]);
  const eventStore: EventStore = createPostgresEventStore({ pool, schema });
  const published: { topic: string; payload: unknown; at: number }[] = [];
  const runners: ProjectionRunner[] = [];
  const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

  const start = async (
    projection: Projection,
    options: { batchSize?: number; publish?: (topic: string, payload: unknown) => void } = {},
  ) => {
    const runner = await startProjection({
      pool,
      schema,
      eventStore,
      projection,
      publish: (topic, payload) => {
        published.push({ topic, payload, at: Date.now() });
        options.publish?.(topic, payload);
      },
      logger,
      batchSize: options.batchSize ?? 50,
      standbyRetryMs: 100,
      tickMs: 100,
      progressIntervalMs: 200,
    });
    runners.push(runner);
    return runner;
  };

  /** Appends `Counted` events for these ids, one stream per id; resolves with the last position. */
  const count = async (ids: readonly string[]) => {
    let position = 0;
    for (const id of ids) {
      ({ position } = await eventStore.append(`tally-${id}`, [{ type: 'Counted', data: { id } }]));
    }
    return position;
  };

  /** Appends `n` events spread over `streams` streams in batches of 100, quickly. */
  const countMany = async (n: number, streams = 10) => {
    let position = 0;
    for (let start = 0; start < n; start += 100) {
      const size = Math.min(100, n - start);
      const id = `s${(start / 100) % streams}`;
      ({ position } = await eventStore.append(
        `tally-${id}`,
        Array.from({ length: size }, () => ({ type: 'Counted', data: { id } })),
      ));
    }
    return position;
  };

  const status = async (name: string) => {
    const { rows } = await pool.query<ProjectionStatusRow>(
      'SELECT * FROM projection_status WHERE name = $1',
      [name],
    );
    return rows[0];
  };

  /** The pid of the session that holds the projection's leader lock, if one does. */
  const leaderBackend = async (name: string) => {
    const { rows } = await pool.query<{ pid: number }>(
      `SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 2
       AND classid::bigint = $1 AND objid::bigint = $2`,
      [LOCK_CLASS.leader, projectionLockKey(schema, name)],
    );
    return rows[0]?.pid ?? null;
  };

  const rows = async <Row extends pg.QueryResultRow>(sql: string, params: unknown[] = []) =>
    (await pool.query<Row>(sql, params)).rows;

  const tearDown = async () => {
    await Promise.allSettled(runners.map((runner) => runner.stop()));
    await eventStore.close();
    await pool.end();
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      const { rows: schemas } = await client.query<{ nspname: string }>(
        `SELECT nspname FROM pg_namespace WHERE nspname = $1 OR nspname LIKE $2`,
        [schema, `${schema.replaceAll('_', '\\_')}\\_\\_%`],
      );
      for (const { nspname } of schemas)
        await client.query(`DROP SCHEMA ${client.escapeIdentifier(nspname)} CASCADE`);
    } finally {
      await client.end();
    }
  };

  return {
    schema,
    pool,
    eventStore,
    published,
    start,
    count,
    countMany,
    status,
    leaderBackend,
    rows,
    tearDown,
  };
};

export type RunnerTestBed = Awaited<ReturnType<typeof runnerTestBed>>;
