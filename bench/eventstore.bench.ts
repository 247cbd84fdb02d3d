/**
 * Event store throughput, ours beside Emmett's PostgreSQL event store on the same PostgreSQL,
 * same workloads, in one run. `npm run bench:eventstore` (BENCH_DATABASE_URL picks the server;
 * default: the local one). Each store gets a fresh database of its own.
 */

import { dumbo } from '@event-driven-io/dumbo';
import { CommandHandler } from '@event-driven-io/emmett';
import { getPostgreSQLEventStore, readMessagesBatch } from '@event-driven-io/emmett-postgresql';
import pg from 'pg';
import type { Decider } from '../src/domain/decider.js';
import { handleCommand } from '../src/infra/eventstore/handleCommand.js';
import { createPostgresEventStore } from '../src/infra/eventstore/postgresEventStore.js';
import { postgresEventStoreMigrations } from '../src/infra/eventstore/postgresEventStoreMigrations.js';
import { migrate } from '../src/infra/postgres/migrate.js';
import { createPostgresPool } from '../src/infra/postgres/postgresPool.js';
import { benchLine, perSecond, runConcurrently } from './benchLine.js';

const SERVER = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const STREAMS = 1_000;
const SINGLE_APPENDS = 3_000;
const BATCH_APPENDS = 1_000;
const CONCURRENT_APPENDS = 4_000;
const WRITERS = 8;
const COMMAND_STREAMS = 100;
const EVENTS_PER_COMMAND_STREAM = 50;
const COMMANDS = 2_000;
const COMMAND_WORKERS = 4;

type Counted = { type: 'Counted'; data: { by: number } };
const event = (by: number): Counted => ({ type: 'Counted', data: { by } });

interface BenchStore {
  append(stream: string, events: Counted[]): Promise<void>;
  command(stream: string): Promise<void>;
  readAll(): Promise<number>;
  close(): Promise<void>;
}

const freshDatabase = async (name: string) => {
  const admin = new pg.Client({ connectionString: SERVER });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(SERVER);
  url.pathname = `/${name}`;
  return url.toString();
};

// The same tiny aggregate for both: a counter whose commands add one.
const counter: Decider<{ add: number }, Counted, number> = {
  initialState: 0,
  evolve: (total, counted) => total + counted.data.by,
  decide: (command) => [event(command.add)],
};

const tributaryStore = async (): Promise<BenchStore> => {
  const connectionString = await freshDatabase('tributary_bench_ours');
  const pool = createPostgresPool({ connectionString, schema: 'tributary', max: 10 });
  await migrate(pool, 'tributary', postgresEventStoreMigrations);
  const store = createPostgresEventStore({ pool, schema: 'tributary' });
  const revisions = new Map<string, number>();
  return {
    async append(stream, events) {
      const result = await store.append(stream, events, {
        expectedRevision: revisions.get(stream) ?? 'no_stream',
      });
      revisions.set(stream, result.nextExpectedRevision);
    },
    async command(stream) {
      await handleCommand(
        store,
        counter,
        stream,
        { add: 1 },
        { actor: 'bench', occurredAt: new Date().toISOString() },
      );
    },
    async readAll() {
      let after = 0;
      let count = 0;
      for (;;) {
        const batch = await store.readAll({ after, maxCount: 1_000 });
        if (batch.length === 0) return count;
        count += batch.length;
        after = batch.at(-1)!.position;
      }
    },
    async close() {
      await store.close();
      await pool.end();
    },
  };
};

const emmettStore = async (): Promise<BenchStore> => {
  const connectionString = await freshDatabase('tributary_bench_emmett');
  const store = getPostgreSQLEventStore(connectionString);
  await store.schema.migrate();
  const reader = dumbo({ connectionString });
  const versions = new Map<string, bigint>();
  const handle = CommandHandler<number, Counted>({ evolve: counter.evolve, initialState: () => 0 });
  return {
    async append(stream, events) {
      const result = await store.appendToStream(stream, events, {
        expectedStreamVersion: versions.get(stream) ?? 'STREAM_DOES_NOT_EXIST',
      });
      versions.set(stream, result.nextExpectedStreamVersion);
    },
    async command(stream) {
      await handle(store, stream, () => [event(1)]);
    },
    async readAll() {
      let after = 0n;
      let count = 0;
      for (;;) {
        const { messages } = await readMessagesBatch(reader.execute, { after, batchSize: 1_000 });
        if (messages.length === 0) return count;
        count += messages.length;
        after = messages.at(-1)!.metadata.globalPosition;
      }
    },
    async close() {
      await store.close();
      await reader.close();
    },
  };
};

const workloads: { name: string; unit: string; run(store: BenchStore): Promise<number> }[] = [
  {
    name: 'eventstore.append.1event.1000streams',
    unit: 'appends/s',
    run: (store) =>
      perSecond(SINGLE_APPENDS, async () => {
        for (let i = 0; i < SINGLE_APPENDS; i++) await store.append(`single-${i % STREAMS}`, [event(1)]);
      }),
  },
  {
    name: 'eventstore.append.10events',
    unit: 'events/s',
    run: (store) =>
      perSecond(BATCH_APPENDS * 10, async () => {
        const batch = Array.from({ length: 10 }, (_, i) => event(i));
        for (let i = 0; i < BATCH_APPENDS; i++) await store.append(`batch-${i % STREAMS}`, batch);
      }),
  },
  {
    name: 'eventstore.append.8writers',
    unit: 'appends/s',
    run: (store) =>
      perSecond(CONCURRENT_APPENDS, async () => {
        // Writer w owns streams w, w+8, w+16...: concurrency without version conflicts.
        await Promise.all(
          Array.from({ length: WRITERS }, async (_, writer) => {
            for (let i = writer; i < CONCURRENT_APPENDS; i += WRITERS) {
              await store.append(`concurrent-${i % STREAMS}`, [event(1)]);
            }
          }),
        );
      }),
  },
  {
    name: 'eventstore.command.50eventStreams',
    unit: 'commands/s',
    async run(store) {
      for (let s = 0; s < COMMAND_STREAMS; s++) {
        await store.append(
          `cmd-${s}`,
          Array.from({ length: EVENTS_PER_COMMAND_STREAM }, () => event(1)),
        );
      }
      return perSecond(COMMANDS, () =>
        runConcurrently(COMMAND_WORKERS, COMMANDS, async (i) => {
          // Workers take streams in turn, so two commands rarely meet on one stream.
          await store.command(`cmd-${i % COMMAND_STREAMS}`);
        }),
      );
    },
  },
];

const main = async () => {
  const ours = await tributaryStore();
  const theirs = await emmettStore();
  // Warm both up (JIT, connection pools, plan caches) before anything is timed.
  for (let i = 0; i < 200; i++) {
    await ours.append(`warm-${i}`, [event(1)]);
    await theirs.append(`warm-${i}`, [event(1)]);
  }
  for (const workload of workloads) {
    const baseline = await workload.run(theirs);
    const value = await workload.run(ours);
    benchLine({
      name: workload.name,
      value,
      unit: workload.unit,
      baseline,
      higherIsBetter: true,
      baselineName: 'emmett-postgresql',
    });
  }
  const [theirCount, theirRate] = await timedRead(theirs);
  const [ourCount, ourRate] = await timedRead(ours);
  // Emmett's batch reader can stop one event short (it hides events of transactions it cannot
  // yet prove finished), so the counts may differ by a hair; the rates compare like for like.
  process.stderr.write(`read back: ours ${ourCount} events, emmett ${theirCount} events\n`);
  benchLine({
    name: 'eventstore.readAll',
    value: ourRate,
    unit: 'events/s',
    baseline: theirRate,
    higherIsBetter: true,
    baselineName: 'emmett-postgresql',
  });
  await ours.close();
  await theirs.close();
};

const timedRead = async (store: BenchStore): Promise<[number, number]> => {
  let count = 0;
  const rate = await perSecond(1, async () => {
    count = await store.readAll();
  });
  return [count, rate * count];
};

await main();
