import type pg from 'pg';
import { pino } from 'pino';
import type { EventStore, EventToAppend } from '../../../src/infra/eventstore/eventStore.js';
import { createPostgresEventStore } from '../../../src/infra/eventstore/postgresEventStore.js';
import { postgresEventStoreMigrations } from '../../../src/infra/eventstore/postgresEventStoreMigrations.js';
import type { ConsumedRecord, Log, LogConsumer, LogRecord } from '../../../src/infra/log/log.js';
import { migrate } from '../../../src/infra/postgres/migrate.js';
import { createPostgresPool } from '../../../src/infra/postgres/postgresPool.js';
import {
  type EventRelay,
  type EventRelayOptions,
  startEventRelay,
} from '../../../src/processors/relay/eventRelay.js';
import { decodeRelayedEvent, type RelayedEvent } from '../../../src/processors/relay/relayedEvent.js';
import { relayMigrations } from '../../../src/processors/relay/relayMigrations.js';
import { createTestSchema, dropTestSchema, testServices, uniqueTopic } from '../../setup/testServices.js';

/** A new `Log` on the service under test, as another process would open it. */
export type RelayLogFactory = (database: { pool: pg.Pool; schema: string }) => Log;

/** Calls around each produce of a log, to slow it down, hold it, count it or make it fail. */
export interface ProduceHooks {
  before?(records: readonly LogRecord[]): Promise<void>;
  after?(records: readonly LogRecord[]): Promise<void>;
}

/** A record read back from the topic, with its decoded event. */
export interface ReadRecord {
  record: ConsumedRecord;
  event: RelayedEvent;
}

/**
 * A schema with the event store and the relay's table, a topic of its own per call of `topic`,
 * relays over logs from `newLog`, and a reader of what they published.
 */
export const relayTestBed = async (newLog: RelayLogFactory) => {
  const { databaseUrl } = testServices();
  const schema = createTestSchema('relay');
  const pool = createPostgresPool({ connectionString: databaseUrl, schema, max: 8 });
  await migrate(pool, schema, [...postgresEventStoreMigrations, ...relayMigrations]);
  const eventStore: EventStore = createPostgresEventStore({ pool, schema });
  const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const logs: Log[] = [];
  const relays: EventRelay[] = [];
  const readers: LogConsumer[] = [];

  const openLog = (hooks: ProduceHooks = {}): Log => {
    const log = newLog({ pool, schema });
    logs.push(log);
    const produce = async (topic: string, records: readonly LogRecord[]) => {
      await hooks.before?.(records);
      await log.produce(topic, records);
      await hooks.after?.(records);
    };
    return new Proxy(log, {
      get: (target, name) => (name === 'produce' ? produce : Reflect.get(target, name)),
    });
  };

  const start = async (
    topic: string,
    options: Partial<Omit<EventRelayOptions, 'topic'>> & { hooks?: ProduceHooks } = {},
  ) => {
    const { hooks, ...rest } = options;
    const relay = await startEventRelay({
      pool,
      schema,
      eventStore,
      log: openLog(hooks),
      logger,
      topic,
      batchSize: 100,
      standbyRetryMs: 100,
      tickMs: 100,
      ...rest,
    });
    relays.push(relay);
    return relay;
  };

  /** Everything on `topic` from its beginning, decoded, in the order each partition delivered it. */
  const read = async (topic: string) => {
    const received: ReadRecord[] = [];
    const log = openLog();
    readers.push(
      await log.consume({
        groupId: uniqueTopic('relay-reader'),
        topics: [topic],
        fromBeginning: true,
        eachBatch: async (batch) => {
          for (const record of batch.records) received.push({ record, event: decodeRelayedEvent(record) });
        },
      }),
    );
    return received;
  };

  /** Appends `count` events round robin over `streams` streams, one append per stream per round of 10. */
  const append = async (count: number, streams = 5, tag = 'e') => {
    let position = 0;
    for (let first = 0; first < count; first += 10 * streams) {
      for (let stream = 0; stream < streams; stream += 1) {
        const events: EventToAppend[] = [];
        for (let n = first + stream * 10; n < Math.min(first + stream * 10 + 10, count); n += 1)
          events.push({
            type: 'ThingHappened',
            data: { tag, n },
            metadata: { actor: 'tester', schemaVersion: 1 },
          });
        if (events.length > 0) ({ position } = await eventStore.append(`thing-${stream}`, events));
      }
    }
    return position;
  };

  const checkpoint = async (topic: string) =>
    (
      await pool.query<{ position: number }>('SELECT position FROM relay_checkpoints WHERE name = $1', [
        topic,
      ])
    ).rows[0]?.position ?? 0;

  const tearDown = async () => {
    await Promise.allSettled(relays.map((relay) => relay.stop()));
    await Promise.allSettled(readers.map((reader) => reader.stop()));
    await Promise.allSettled(logs.map((log) => log.close()));
    await eventStore.close();
    await pool.end();
    await dropTestSchema(databaseUrl, schema);
  };

  return { schema, pool, eventStore, start, read, append, checkpoint, openLog, tearDown };
};

export type RelayTestBed = Awaited<ReturnType<typeof relayTestBed>>;
