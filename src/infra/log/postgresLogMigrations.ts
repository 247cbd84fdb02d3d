import type { Migration } from '../postgres/migrate.js';

/**
 * Tables of the embedded log (`postgresLog`). `log_partitions.next_offset` is the only source of
 * offsets: a producer moves it with `UPDATE ... RETURNING` inside its transaction, so producers
 * of one partition take turns on that row lock and offsets become visible in commit order.
 */
export const postgresLogMigrations: Migration[] = [
  {
    id: 'log-0001-topics-partitions-records-offsets',
    sql: `
      CREATE TABLE log_topics (
        topic text PRIMARY KEY,
        partitions integer NOT NULL CHECK (partitions > 0)
      );
      CREATE TABLE log_partitions (
        topic text NOT NULL REFERENCES log_topics (topic),
        partition integer NOT NULL,
        next_offset bigint NOT NULL DEFAULT 0,
        PRIMARY KEY (topic, partition)
      );
      CREATE TABLE log_records (
        topic text NOT NULL,
        partition integer NOT NULL,
        "offset" bigint NOT NULL,
        key bytea,
        value bytea NOT NULL,
        headers jsonb NOT NULL,
        timestamp_ms bigint NOT NULL,
        PRIMARY KEY (topic, partition, "offset"),
        FOREIGN KEY (topic, partition) REFERENCES log_partitions (topic, partition)
      );
      CREATE TABLE log_group_offsets (
        group_id text NOT NULL,
        topic text NOT NULL,
        partition integer NOT NULL,
        committed_offset bigint NOT NULL,
        PRIMARY KEY (group_id, topic, partition),
        FOREIGN KEY (topic, partition) REFERENCES log_partitions (topic, partition)
      );
    `,
  },
  {
    // Tombstones (a null value) and compacted topics, for changelogs of processor state.
    id: 'log-0002-tombstones-compacted-topics',
    sql: `
      ALTER TABLE log_records ALTER COLUMN value DROP NOT NULL;
      ALTER TABLE log_topics ADD COLUMN compacted boolean NOT NULL DEFAULT false;
    `,
  },
  {
    // The offset of each key's latest record in a compacted topic: what its next record supersedes.
    id: 'log-0003-compacted-keys',
    sql: `
      CREATE TABLE log_compacted_keys (
        topic text NOT NULL,
        partition integer NOT NULL,
        key bytea NOT NULL,
        "offset" bigint NOT NULL,
        PRIMARY KEY (topic, partition, key),
        FOREIGN KEY (topic, partition) REFERENCES log_partitions (topic, partition)
      );
    `,
  },
];
