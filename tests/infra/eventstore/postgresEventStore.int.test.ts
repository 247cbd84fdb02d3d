import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { RecordedEvent } from '../../../src/infra/eventstore/eventStore.js';
import { createPostgresEventStore } from '../../../src/infra/eventstore/postgresEventStore.js';
import { postgresEventStoreMigrations } from '../../../src/infra/eventstore/postgresEventStoreMigrations.js';
import { migrate } from '../../../src/infra/postgres/migrate.js';
import { createPostgresPool } from '../../../src/infra/postgres/postgresPool.js';
import { createTestSchema, dropTestSchema, testServices } from '../../setup/testServices.js';
import { eventStoreContract } from './eventStoreContract.js';

const { databaseUrl } = testServices();
// A fresh schema per test; they are dropped together at the end, as each DROP costs a WAL flush.
const schemas: string[] = [];
afterAll(async () => {
  await Promise.all(schemas.map((schema) => dropTestSchema(databaseUrl, schema)));
});

/** A migrated store on a schema of its own; the application name lets a test find its blocked sessions. */
const openStore = async () => {
  const schema = createTestSchema('eventstore');
  schemas.push(schema);
  const pool = createPostgresPool({
    connectionString: databaseUrl,
    schema,
    max: 12,
    applicationName: schema,
  });
  await migrate(pool, schema, postgresEventStoreMigrations);
  const store = createPostgresEventStore({ pool, schema });
  // Appends of one store instance share one connection in turn (group commit); another
  // instance on the same schema writes independently, as another process would.
  const anotherProcess = () => createPostgresEventStore({ pool, schema });
  return { store, schema, anotherProcess, cleanup: () => pool.end() };
};

eventStoreContract('postgresEventStore', openStore, { contiguousPositions: true });

describe('postgresEventStore global positions under held locks', () => {
  const opened: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const close of opened.splice(0).reverse()) await close();
  });

  /** A store, a live subscriber from position 0, and a raw session outside the store to hold locks with. */
  const setUp = async () => {
    const { store, schema, anotherProcess, cleanup } = await openStore();
    const raw = new pg.Client({ connectionString: databaseUrl, options: `-c search_path=${schema}` });
    // Its own session: one inside a transaction sees pg_stat_activity as of its first look.
    const observer = new pg.Client({ connectionString: databaseUrl });
    await Promise.all([raw.connect(), observer.connect()]);
    const received: RecordedEvent[] = [];
    const subscription = store.subscribeToAll({
      after: 0,
      batchSize: 3,
      onEvents: async (batch) => {
        received.push(...batch);
      },
    });
    opened.push(
      cleanup,
      () => store.close(),
      () => observer.end(),
      () => raw.end(),
      () => subscription.stop(),
    );
    const waitingOnLocks = async () => {
      const { rows } = await observer.query<{ count: number }>(
        `SELECT count(*)::int AS count FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'`,
        [schema],
      );
      return rows[0]!.count;
    };
    return { store, raw, received, waitingOnLocks, anotherProcess };
  };

  it('gives an append held on its stream row its position only when it proceeds, after appends that overtook it', async () => {
    const { store, raw, received, waitingOnLocks, anotherProcess } = await setUp();
    const other = anotherProcess();
    await store.append('held', [event()]);
    await raw.query('BEGIN');
    await raw.query(`SELECT * FROM streams WHERE stream_id = 'held' FOR UPDATE`);

    const held = store.append('held', [event(), event()]);
    await until(async () => (await waitingOnLocks()) === 1);
    for (let i = 0; i < 4; i++) await other.append(`free-${i}`, [event()]);
    await until(async () => received.length === 5);
    await raw.query('COMMIT');

    expect(await held).toEqual({ nextExpectedRevision: 2, position: 7 });
    await until(async () => received.length === 7);
    expect(received.map((e) => e.position)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(received.slice(-2).map((e) => [e.streamId, e.revision])).toEqual([
      ['held', 1],
      ['held', 2],
    ]);
  });

  it('makes no later append visible while an append that took its position has not committed', async () => {
    const { store, raw, received, waitingOnLocks, anotherProcess } = await setUp();
    await store.append('before', [event()]);
    await until(async () => received.length === 1);
    // An uncommitted row with the event id the next append will use: that append takes its
    // position, then waits on the unique index until this session ends.
    const contestedId = randomUUID();
    await raw.query('BEGIN');
    await raw.query(
      `INSERT INTO events (position, id, stream_id, revision, type, data, metadata)
       VALUES (1000000, $1, 'blocker', 0, 'Blocker', '{}', '{}')`,
      [contestedId],
    );

    const stalled = store.append('stalled', [event(), { ...event(), id: contestedId }]);
    await until(async () => (await waitingOnLocks()) === 1);
    const later = [0, 1, 2].map((i) => anotherProcess().append(`later-${i}`, [event()]));
    await until(async () => (await waitingOnLocks()) === 4);
    await sleep(200);

    expect(received.map((e) => e.position)).toEqual([1]);
    expect(await store.headPosition()).toBe(1);
    expect((await store.readAll()).map((e) => e.position)).toEqual([1]);

    await raw.query('ROLLBACK');
    expect((await stalled).position).toBe(3);
    const laterPositions = (await Promise.all(later)).map((result) => result.position);
    expect(laterPositions.sort((a, b) => a - b)).toEqual([4, 5, 6]);
    await until(async () => received.length === 6);
    expect(received.map((e) => e.position)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('leaves no gap when an append fails after taking its positions', async () => {
    const { store, received } = await setUp();
    const reused = event();
    await store.append('a', [reused]);

    await expect(store.append('b', [event(), reused])).rejects.toThrow();
    await store.append('c', [event()]);

    expect(await store.headPosition()).toBe(2);
    expect(positionsAndStreams(await store.readAll())).toEqual(['1:a', '2:c']);
    expect(await store.readStream('b')).toEqual([]);
    await store.append('b', [event()], { expectedRevision: 'no_stream' });
    await until(async () => received.length === 3);
    expect(positionsAndStreams(received)).toEqual(['1:a', '2:c', '3:b']);
  });
});

const event = () => ({ id: randomUUID(), type: 'Happened', data: {} });

const positionsAndStreams = (events: readonly RecordedEvent[]) =>
  events.map((e) => `${e.position}:${e.streamId}`);

const until = async (condition: () => Promise<boolean>, timeoutMs = 10_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Condition not met within ${timeoutMs} ms`);
    await sleep(10);
  }
};

describe('postgresEventStore group commit', () => {
  it('gives each of many appends sent at once its own outcome: success, conflict, or failure', async () => {
    const { store, cleanup } = await openStore();
    try {
      await store.append('existing', [event()]);
      const reused = event();
      await store.append('taken', [reused]);

      // Given 40 appends in flight together, among them a stale expectation and a reused event id
      const outcomes = await Promise.allSettled([
        ...Array.from({ length: 38 }, (_, i) =>
          store.append(`fresh-${i}`, [event(), event()], { expectedRevision: 'no_stream' }),
        ),
        store.append('existing', [event()], { expectedRevision: 'no_stream' }),
        store.append('broken', [{ ...reused }]),
      ]);

      // Then the good ones succeed with distinct contiguous positions, and only the bad ones fail
      const fulfilled = outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
      expect(fulfilled).toHaveLength(38);
      expect(fulfilled.map((r) => r.position).sort((a, b) => a - b)).toEqual(
        Array.from({ length: 38 }, (_, i) => 4 + 2 * i),
      );
      expect(outcomes[38]).toMatchObject({ status: 'rejected', reason: { code: 'CONCURRENCY_CONFLICT' } });
      expect(outcomes[39]?.status).toBe('rejected');
      expect(await store.readStream('broken')).toEqual([]);
      expect(await store.headPosition()).toBe(2 + 38 * 2);
    } finally {
      await store.close();
      await cleanup();
    }
  });
});
