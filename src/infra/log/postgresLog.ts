import { createHash } from 'node:crypto';
import type pg from 'pg';
import { migrate } from '../postgres/migrate.js';
import { quoteIdentifier } from '../postgres/postgresPool.js';
import {
  type ConsumedRecord,
  type ConsumeOptions,
  DEFAULT_PARTITIONS,
  type Log,
  type LogConsumer,
  type ProducedRecord,
  type StoredRecord,
  type TopicOptions,
} from './log.js';
import { postgresLogMigrations } from './postgresLogMigrations.js';
import {
  postgresCommittedOffsets,
  postgresEndOffsets,
  postgresResetGroupOffsets,
} from './postgresLogOffsets.js';

export interface PostgresLogOptions {
  /** Connections must use `schema` as their search_path (`createPostgresPool` does); the caller ends it. */
  pool: pg.Pool;
  schema: string;
  /** Hears of each failed batch before it is retried; one JSON line on stderr by default. */
  onError?: (error: unknown, context: { groupId: string; topic: string; partition: number }) => void;
}

const BATCH_SIZE = 500;
const READ_PAGE_SIZE = 5_000;
// NOTIFY only wakes consumers sooner; this poll finds what a lost notification did not announce.
const FALLBACK_POLL_MS = 1_000;
const MAX_RETRY_DELAY_MS = 5_000;

/**
 * The log of `npm run dev`, kept in PostgreSQL, for one process. Its tables are migrated on the
 * first call of any method. Consumers of one group are not balanced against each other: each
 * `consume` reads every partition of its topics, so a group should have one consumer at a time.
 * A transactional batch holds the row locks of the partitions it produced to until it commits,
 * so other producers of those partitions wait for its handler.
 */
export const createPostgresLog = (options: PostgresLogOptions): Log => {
  const { pool, schema } = options;
  const onError = options.onError ?? reportToStderr;
  // Names the schema, so isolated instances in one database (one per test file) don't wake each other;
  // channels are identifiers, and longer than 63 bytes is an error.
  const named = `tributary_log_${schema}`;
  const channel =
    Buffer.byteLength(named) <= 63
      ? named
      : `tributary_log_${createHash('sha256').update(schema).digest('hex')}`;
  const partitionCounts = new Map<string, number>();
  const compactedTopics = new Set<string>();
  const roundRobin = new Map<string, number>();
  const consumers = new Set<LogConsumer>();
  const wakers = new Set<{ topics: ReadonlySet<string>; wake: () => void }>();
  let migrated: Promise<void> | undefined;
  // Resolves to the function that drops the LISTEN connection, or null when listening failed.
  let listening: Promise<(() => void) | null> | undefined;
  let closed = false;

  const ready = async () => {
    if (closed) throw new Error('This log is closed');
    migrated ??= migrate(pool, schema, postgresLogMigrations).catch((error: unknown) => {
      migrated = undefined;
      throw error;
    });
    await migrated;
  };

  const ensureTopic = async (topic: string, topicOptions: TopicOptions = {}): Promise<number> => {
    const { partitions = DEFAULT_PARTITIONS, compacted = false } = topicOptions;
    await ready();
    const known = partitionCounts.get(topic);
    if (known !== undefined) return known;
    // One statement, so a topic never exists without its partitions, even when two callers race.
    await pool.query(
      `WITH created AS (
         INSERT INTO log_topics (topic, partitions, compacted) VALUES ($1, $2, $3)
         ON CONFLICT DO NOTHING RETURNING partitions)
       INSERT INTO log_partitions (topic, partition) SELECT $1, generate_series(0, partitions - 1) FROM created`,
      [topic, partitions, compacted],
    );
    const { rows } = await pool.query('SELECT partitions, compacted FROM log_topics WHERE topic = $1', [
      topic,
    ]);
    if (rows[0].compacted) compactedTopics.add(topic);
    partitionCounts.set(topic, rows[0].partitions);
    return rows[0].partitions;
  };

  const partitionOf = (topic: string, record: ProducedRecord, partitions: number): number => {
    const { partition, key } = record;
    if (partition === undefined) {
      if (key !== null) return (murmur2(key) & 0x7fffffff) % partitions;
      const next = roundRobin.get(topic) ?? 0;
      roundRobin.set(topic, next + 1);
      return next % partitions;
    }
    if (Number.isInteger(partition) && partition >= 0 && partition < partitions) return partition;
    throw new RangeError(`Topic ${topic} has no partition ${partition} (it has ${partitions})`);
  };

  /** Writes the records within the transaction open on `client`; they commit or roll back with it. */
  const produceOn = async (client: pg.ClientBase, topic: string, records: readonly ProducedRecord[]) => {
    if (records.length === 0) return;
    const partitions = await ensureTopic(topic);
    const byPartition = new Map<number, ProducedRecord[]>();
    for (const record of records) {
      const partition = partitionOf(topic, record, partitions);
      byPartition.set(partition, [...(byPartition.get(partition) ?? []), record]);
    }
    const now = Date.now();
    // Sent at COMMIT, and only if it commits; asked for first, so the lock below is held less long.
    await client.query('SELECT pg_notify($1, $2)', [channel, topic]);
    // The row lock this UPDATE takes is held until COMMIT, so producers of a partition take turns
    // and offsets become visible in order: a consumer can't pass an offset that commits late.
    // Ascending partition order keeps two multi-partition producers from deadlocking.
    for (const [partition, batch] of [...byPartition].sort(([a], [b]) => a - b)) {
      const { rowCount } = await client.query(
        `WITH claimed AS (
           UPDATE log_partitions SET next_offset = next_offset + $3
           WHERE topic = $1 AND partition = $2 RETURNING next_offset - $3 AS first)
         INSERT INTO log_records (topic, partition, "offset", key, value, headers, timestamp_ms)
         SELECT $1, $2, first + n - 1, key, value, headers, ts FROM claimed,
           unnest($4::bytea[], $5::bytea[], $6::jsonb[], $7::bigint[]) WITH ORDINALITY r(key, value, headers, ts, n)`,
        [
          topic,
          partition,
          batch.length,
          batch.map((record) => record.key),
          batch.map((record) => record.value),
          batch.map((record) => JSON.stringify(record.headers ?? {})),
          batch.map((record) => record.timestamp ?? now),
        ],
      );
      if (rowCount !== batch.length) throw new Error(`Partition ${partition} of ${topic} is missing`);
      if (compactedTopics.has(topic)) {
        // This transaction holds the partition's row, so its next_offset is still this batch's end.
        const { rows } = await client.query<{ first: number }>(
          'SELECT next_offset - $3 AS first FROM log_partitions WHERE topic = $1 AND partition = $2',
          [topic, partition, batch.length],
        );
        await compact(client, topic, partition, batch, Number(rows[0]!.first));
      }
    }
  };

  /**
   * Compaction at once, within the producing transaction (Kafka compacts later, in the background;
   * either way the latest record of a key stays): the records these supersede are deleted, found
   * through `log_compacted_keys`, the offset of each key's latest record. Tombstones stay, so a
   * reader learns of the delete. Producers of a partition take turns (the lock above), so the
   * table's rows of a partition change in offset order.
   */
  const compact = async (
    client: pg.ClientBase,
    topic: string,
    partition: number,
    batch: readonly ProducedRecord[],
    first: number,
  ) => {
    const latest = new Map<string, { key: Buffer; offset: number }>();
    const superseded: number[] = [];
    batch.forEach((record, index) => {
      if (record.key === null) return;
      const id = record.key.toString('hex');
      const before = latest.get(id);
      if (before) superseded.push(before.offset);
      latest.set(id, { key: record.key, offset: first + index });
    });
    if (latest.size === 0) return;
    const keys = [...latest.values()].map((entry) => entry.key);
    const offsets = [...latest.values()].map((entry) => entry.offset);
    await client.query(
      `DELETE FROM log_records r USING log_compacted_keys k
       WHERE k.topic = $1 AND k.partition = $2 AND k.key = ANY($3::bytea[])
         AND r.topic = $1 AND r.partition = $2 AND r."offset" = k."offset"`,
      [topic, partition, keys],
    );
    if (superseded.length > 0)
      await client.query(
        'DELETE FROM log_records WHERE topic = $1 AND partition = $2 AND "offset" = ANY($3::bigint[])',
        [topic, partition, superseded],
      );
    await client.query(
      `INSERT INTO log_compacted_keys (topic, partition, key, "offset")
       SELECT $1, $2, key, "offset" FROM unnest($3::bytea[], $4::bigint[]) r(key, "offset")
       ON CONFLICT (topic, partition, key) DO UPDATE SET "offset" = EXCLUDED."offset"`,
      [topic, partition, keys, offsets],
    );
  };

  const produce = async (topic: string, records: readonly ProducedRecord[]) => {
    if (records.length === 0) return;
    await inTransaction(pool, (client) => produceOn(client, topic, records));
  };

  // One LISTEN connection per instance. Should it fail or drop, consumers still poll, and the
  // next idle round listens again.
  const listen = () => {
    listening ??= (async () => {
      const client = await pool.connect();
      let released = false;
      // Destroyed, not returned to the pool: a pooled connection would go on receiving notifications.
      const destroy = () => {
        if (!released) client.release(true);
        released = true;
      };
      client.on('notification', ({ payload }) => {
        for (const waker of wakers) if (payload && waker.topics.has(payload)) waker.wake();
      });
      client.on('error', () => {
        destroy();
        listening = undefined;
      });
      await client.query(`LISTEN ${quoteIdentifier(channel)}`).catch((error: unknown) => {
        destroy();
        throw error;
      });
      return destroy;
    })().catch(() => {
      listening = undefined;
      return null;
    });
    return listening;
  };

  const consume = async ({
    groupId,
    topics,
    fromBeginning,
    transactional,
    eachBatch,
  }: ConsumeOptions): Promise<LogConsumer> => {
    for (const topic of topics) await ensureTopic(topic);
    // "Joined" means "consume resolved", as with Kafka: without fromBeginning, a partition the group
    // never committed gets its start pinned now, at its end, so no later record is skipped.
    if (!fromBeginning) {
      await pool.query(
        `INSERT INTO log_group_offsets (group_id, topic, partition, committed_offset)
         SELECT $1, topic, partition, next_offset FROM log_partitions WHERE topic = ANY($2) ON CONFLICT DO NOTHING`,
        [groupId, topics],
      );
    }
    const { rows: positions } = await pool.query<{ topic: string; partition: number; next: number }>(
      `SELECT p.topic, p.partition, coalesce(g.committed_offset, 0) AS next
       FROM log_partitions p LEFT JOIN log_group_offsets g
         ON g.group_id = $1 AND g.topic = p.topic AND g.partition = p.partition
       WHERE p.topic = ANY($2) ORDER BY p.topic, p.partition`,
      [groupId, topics],
    );
    await listen();

    // Returns whether it delivered a batch. When the handler or the commit fails it throws, and
    // the position stays put, so the same records come again.
    const deliverNext = async (position: (typeof positions)[number]) => {
      // A tombstone (null value) reads as empty, as on Kafka: the port's consumers have no deletes.
      const { rows: records } = await pool.query<ConsumedRecord>(
        `SELECT topic, partition, "offset", key, coalesce(value, ''::bytea) AS value, headers, timestamp_ms AS "timestamp" FROM log_records
         WHERE topic = $1 AND partition = $2 AND "offset" >= $3 ORDER BY "offset" LIMIT $4`,
        [position.topic, position.partition, position.next, BATCH_SIZE],
      );
      if (records.length === 0) return false;
      const batch = { topic: position.topic, partition: position.partition, records };
      const next = records.at(-1)!.offset + 1;
      if (transactional) {
        // What the handler produces and the offset commit in one transaction: all of it or nothing.
        await inTransaction(pool, async (client) => {
          await eachBatch(batch, { produce: (topic, produced) => produceOn(client, topic, produced) });
          await commitOffset(client, groupId, position, next);
        });
      } else {
        await eachBatch(batch, { produce });
        await commitOffset(pool, groupId, position, next);
      }
      position.next = next;
      return true;
    };

    let running = true;
    let notified = false;
    let endWait = () => {};
    let endIdleWait: (() => void) | undefined;
    const wait = (ms: number, idle: boolean) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, ms);
        endWait = () => {
          clearTimeout(timer);
          resolve();
        };
        endIdleWait = idle ? endWait : undefined;
      });
    // A notification ends only an idle wait: a retry backoff keeps its length however busy the topic.
    const waker = {
      topics: new Set(topics),
      wake() {
        notified = true;
        endIdleWait?.();
      },
    };
    wakers.add(waker);

    const deliverRound = async (): Promise<'delivered' | 'idle' | 'failed'> => {
      let outcome: 'delivered' | 'idle' = 'idle';
      for (const position of positions) {
        if (!running) break;
        try {
          if (await deliverNext(position)) outcome = 'delivered';
        } catch (error) {
          onError(error, { groupId, topic: position.topic, partition: position.partition });
          return 'failed';
        }
      }
      return outcome;
    };
    const loop = (async () => {
      for (let failures = 0; running; ) {
        notified = false;
        const outcome = await deliverRound();
        failures = outcome === 'failed' ? failures + 1 : 0;
        if (outcome === 'failed') await wait(Math.min(100 * 2 ** failures, MAX_RETRY_DELAY_MS), false);
        else if (outcome === 'idle' && !notified && running) {
          void listen();
          await wait(FALLBACK_POLL_MS, true);
        }
      }
    })();
    const consumer: LogConsumer = {
      async stop() {
        running = false;
        wakers.delete(waker);
        endWait();
        await loop;
        consumers.delete(consumer);
      },
    };
    consumers.add(consumer);
    return consumer;
  };

  // Committed records only: a producer's transaction moves next_offset, and this reads it as committed.
  const readPartition = async (
    topic: string,
    partition: number,
    eachRecords: (records: StoredRecord[]) => Promise<void> | void,
  ): Promise<void> => {
    await ready();
    const { rows } = await pool.query<{ end: string }>(
      'SELECT next_offset AS "end" FROM log_partitions WHERE topic = $1 AND partition = $2',
      [topic, partition],
    );
    if (rows.length === 0) {
      const { rowCount } = await pool.query('SELECT 1 FROM log_topics WHERE topic = $1', [topic]);
      if (rowCount) throw new RangeError(`Topic ${topic} has no partition ${partition}`);
      return;
    }
    const end = Number(rows[0]!.end);
    for (let next = 0; next < end; ) {
      const { rows: records } = await pool.query<StoredRecord>(
        `SELECT topic, partition, "offset", key, value, headers, timestamp_ms AS "timestamp" FROM log_records
         WHERE topic = $1 AND partition = $2 AND "offset" >= $3 AND "offset" < $4 ORDER BY "offset" LIMIT $5`,
        [topic, partition, next, end, READ_PAGE_SIZE],
      );
      if (records.length === 0) return;
      await eachRecords(records);
      next = records.at(-1)!.offset + 1;
    }
  };

  return {
    ensureTopic: async (topic, topicOptions) => void (await ensureTopic(topic, topicOptions)),
    produce,
    consume,
    readPartition,
    async endOffsets(topic) {
      await ready();
      return postgresEndOffsets(pool, topic);
    },
    async committedOffsets(groupId, topic) {
      await ready();
      return postgresCommittedOffsets(pool, groupId, topic);
    },
    async resetGroupOffsets(groupId, topic, to) {
      await ensureTopic(topic);
      await postgresResetGroupOffsets(pool, groupId, topic, to);
    },
    async close() {
      if (closed) return;
      closed = true;
      await Promise.all([...consumers].map((consumer) => consumer.stop()));
      (await listening)?.();
      listening = undefined;
    },
  };
};

// GREATEST: a consumer of the group that is still finishing can't move it back.
const commitOffset = (
  client: pg.Pool | pg.ClientBase,
  groupId: string,
  position: { topic: string; partition: number },
  next: number,
) =>
  client.query(
    `INSERT INTO log_group_offsets (group_id, topic, partition, committed_offset) VALUES ($1, $2, $3, $4)
     ON CONFLICT (group_id, topic, partition) DO UPDATE
     SET committed_offset = GREATEST(log_group_offsets.committed_offset, EXCLUDED.committed_offset)`,
    [groupId, position.topic, position.partition, next],
  );

/** Runs `work` in a transaction on a client of its own, committed when it resolves, rolled back if it throws. */
const inTransaction = async (pool: pg.Pool, work: (client: pg.PoolClient) => Promise<void>) => {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await work(client);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
};

const reportToStderr = (error: unknown, context: object) => {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(
    `${JSON.stringify({ level: 'warn', msg: 'log batch failed, retrying', message, ...context })}\n`,
  );
};

/**
 * Kafka's murmur2 (its Java client's and kafkajs' default partitioner), so a key lands in the same
 * partition here as on a Kafka topic with as many partitions.
 */
const murmur2 = (data: Buffer): number => {
  const m = 0x5bd1e995;
  const tail = data.length & ~3;
  let h = 0x9747b28c ^ data.length;
  for (let i = 0; i < tail; i += 4) {
    let k = data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24);
    k = Math.imul(k, m);
    k = Math.imul(k ^ (k >>> 24), m);
    h = Math.imul(h, m) ^ k;
  }
  const rest = data.length & 3;
  if (rest === 3) h ^= data[tail + 2]! << 16;
  if (rest >= 2) h ^= data[tail + 1]! << 8;
  if (rest >= 1) h = Math.imul(h ^ data[tail]!, m);
  h = Math.imul(h ^ (h >>> 13), m);
  return h ^ (h >>> 15);
};
