/**
 * Projection catch-up: every read model of `allProjections` built from position 0 over 200,000
 * events, beside the same rows written by plain batched INSERTs with no projection logic, on
 * one PostgreSQL: `npm run bench:projections` (BENCH_DATABASE_URL picks the server). The
 * baseline is what writing the result costs; the difference is reading the log, applying
 * each event, and rewriting rows as they change.
 */

import { hrtime } from 'node:process';
import type pg from 'pg';
import type { EventStore } from '../src/infra/eventstore/eventStore.js';
import { createPostgresEventStore } from '../src/infra/eventstore/postgresEventStore.js';
import { migrate } from '../src/infra/postgres/migrate.js';
import { createPostgresPool, quoteIdentifier } from '../src/infra/postgres/postgresPool.js';
import { createLogger } from '../src/logger.js';
import { platformMigrations } from '../src/platform.js';
import { allProjections } from '../src/projections/allProjections.js';
import { startProjection } from '../src/projections/projectionRunner.js';
import { benchLine, runConcurrently } from './benchLine.js';
import { benchConfig, freshDatabase, reportLoad } from './benchServices.js';
import { type StreamToAppend, storyOf } from './domainEventMix.js';

// BENCH_EVENTS shortens a smoke run; figures for the record use the default.
const EVENTS = Number(process.env.BENCH_EVENTS ?? 200_000);
const APPENDERS = 32;
const INSERT_BATCH = 500;
const SCHEMA = 'tributary';

const seconds = (started: bigint) => Number(hrtime.bigint() - started) / 1e9;

/** Whole stories, until there are EVENTS events; each stream is one append of all its events. */
const seed = async (eventStore: EventStore) => {
  const streams: StreamToAppend[] = [];
  let count = 0;
  for (let story = 0; count < EVENTS; story++) {
    for (const stream of storyOf(story)) {
      streams.push(stream);
      count += stream.events.length;
    }
  }
  const started = hrtime.bigint();
  // Concurrent appends share a round trip and a commit (the store's group commit).
  await runConcurrently(APPENDERS, streams.length, async (i) => {
    const { streamId, events } = streams[i]!;
    await eventStore.append(streamId, events, { expectedRevision: 'no_stream' });
  });
  process.stderr.write(
    `seeded ${count} events in ${streams.length} streams in ${seconds(started).toFixed(1)} s\n`,
  );
  return count;
};

/** Every projection from 0 at once, as the platform starts them; done when all reach the head. */
const catchUp = async (pool: pg.Pool, eventStore: EventStore) => {
  const head = await eventStore.headPosition();
  const logger = createLogger({ logLevel: 'warn' });
  const started = hrtime.bigint();
  const runners = await Promise.all(
    allProjections.map((projection) =>
      startProjection({ pool, schema: SCHEMA, eventStore, projection, publish: () => {}, logger }),
    ),
  );
  let reported = hrtime.bigint();
  const finished = new Map<string, number>();
  while (runners.some((runner) => runner.position < head)) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    for (const runner of runners) {
      if (runner.position >= head && !finished.has(runner.name)) finished.set(runner.name, seconds(started));
    }
    if (seconds(reported) > 15) {
      reported = hrtime.bigint();
      const positions = runners.map((runner) => `${runner.name} ${runner.position}`).join(', ');
      process.stderr.write(`after ${seconds(started).toFixed(0)} s, of ${head}: ${positions}\n`);
    }
  }
  const elapsed = seconds(started);
  for (const runner of runners) await runner.stop();
  const each = runners.map(
    (runner) => `${runner.name} ${(finished.get(runner.name) ?? elapsed).toFixed(1)} s`,
  );
  process.stderr.write(`each projection reached the head after: ${each.join(', ')}\n`);
  return elapsed;
};

/** Where a read-model table lives: the runner keeps each generation in a schema of its own. */
const tableSchema = async (pool: pg.Pool, table: string) => {
  const { rows } = await pool.query<{ schema: string }>(
    `SELECT n.nspname AS schema FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relname = $1 AND c.relkind IN ('r', 'p') AND n.nspname <> 'bench_copy'`,
    [table],
  );
  if (rows.length !== 1) throw new Error(`expected one table ${table}, found ${rows.length}`);
  return rows[0]!.schema;
};

/**
 * The baseline: each projection's final rows copied into empty tables of the same definition
 * (indexes included) by INSERTs of INSERT_BATCH rows, one statement and commit each; the
 * projections side by side, as they run.
 */
const insertFinalRows = async (pool: pg.Pool) => {
  await pool.query('DROP SCHEMA IF EXISTS bench_copy CASCADE; CREATE SCHEMA bench_copy');
  const work: { insert: string; batches: string[] }[][] = [];
  let rowCount = 0;
  for (const projection of allProjections) {
    const tables: { insert: string; batches: string[] }[] = [];
    for (const table of projection.tables) {
      const schema = await tableSchema(pool, table);
      const source = `${quoteIdentifier(schema)}.${quoteIdentifier(table)}`;
      const target = `bench_copy.${quoteIdentifier(table)}`;
      await pool.query(`CREATE TABLE ${target} (LIKE ${source} INCLUDING ALL)`);
      // Generated columns are computed on insert, as they are for the projection.
      const { rows: columns } = await pool.query<{ name: string }>(
        `SELECT column_name AS name FROM information_schema.columns
         WHERE table_schema = $1 AND table_name = $2 AND is_generated = 'NEVER' ORDER BY ordinal_position`,
        [schema, table],
      );
      const list = columns.map((column) => quoteIdentifier(column.name)).join(', ');
      const { rows } = await pool.query<{ row: unknown }>(`SELECT row_to_json(t) AS row FROM ${source} t`);
      rowCount += rows.length;
      const batches: string[] = [];
      for (let i = 0; i < rows.length; i += INSERT_BATCH) {
        batches.push(JSON.stringify(rows.slice(i, i + INSERT_BATCH).map((r) => r.row)));
      }
      const insert = `INSERT INTO ${target} (${list}) SELECT ${list} FROM json_populate_recordset(null::${target}, $1)`;
      tables.push({ insert, batches });
    }
    work.push(tables);
  }
  const started = hrtime.bigint();
  await Promise.all(
    work.map(async (tables) => {
      for (const { insert, batches } of tables) {
        for (const batch of batches) await pool.query(insert, [batch]);
      }
    }),
  );
  return { elapsed: seconds(started), rowCount };
};

const main = async () => {
  reportLoad('at start');
  const database = await freshDatabase('tributary_bench_projections');
  const pool = createPostgresPool({ connectionString: database.url, schema: SCHEMA });
  const eventStore = createPostgresEventStore({ pool, schema: SCHEMA });
  try {
    await migrate(pool, SCHEMA, platformMigrations(benchConfig(database.url, SCHEMA)));
    const count = await seed(eventStore);
    await pool.query('VACUUM ANALYZE');
    reportLoad('after seeding');
    const projecting = await catchUp(pool, eventStore);
    const baseline = await insertFinalRows(pool);
    process.stderr.write(
      `projections: ${allProjections.map((p) => p.name).join(', ')}; ${baseline.rowCount} rows in ` +
        `${allProjections.flatMap((p) => p.tables).length} tables; catch-up ${projecting.toFixed(1)} s, ` +
        `plain INSERTs ${baseline.elapsed.toFixed(1)} s\n`,
    );
    benchLine({
      name: `projections.catchUp.${allProjections.length}readModels`,
      value: count / projecting,
      unit: 'events/s',
      baseline: count / baseline.elapsed,
      higherIsBetter: true,
      baselineName: 'the same final rows by batched INSERT',
    });
    reportLoad('at end');
  } finally {
    // The store's LISTEN connection is a client of the pool: the pool ends only after it.
    await eventStore.close();
    await pool.end();
    await database.drop();
  }
};

await main();
