import pg from 'pg';
import type { PostgresTableConfig } from '../../domain/connectors/connectorConfig.js';
import type { SecretCipher } from '../../infra/crypto/secretCipher.js';
import { quoteIdentifier } from '../../infra/postgres/postgresPool.js';
import { bareTableName, quotedTableName } from './sinkTableName.js';

/**
 * One result of an aggregate step: `kafkaKey` is `<key>@<windowStart ISO>`; `record` is
 * `{ key, windowStart, windowEnd, ...measures }`, or null to delete the window (a retract).
 */
export interface WindowResultRow {
  kafkaKey: string;
  record: Readonly<Record<string, unknown>> | null;
}

/**
 * Writes aggregate outputs to a PostgreSQL table, one row per window and key:
 * `(key, window_start)` is the primary key, `measures` a jsonb of the measures. The table's key
 * is that whatever the connector's `keyColumns` says, since every aggregate output has that shape.
 */
export interface PostgresTableSink {
  /**
   * Upserts the results in one statement, and deletes the retracted windows in it: the batch
   * lands whole or not at all. Later results of a window in the batch win over earlier ones.
   * Idempotent: writing a batch again leaves the same rows (updated_at aside).
   */
  write(results: readonly WindowResultRow[]): Promise<void>;
  close(): Promise<void>;
}

export interface PostgresTableSinkOptions {
  /** The `postgres-table` sink connector's config, its connection string encrypted. */
  config: PostgresTableConfig;
  /** Decrypts the connection string; the platform's, configured by SECRETS_KEYS. */
  cipher: SecretCipher;
  /** Connections the sink may hold; 2 by default (one batch at a time, one spare). */
  maxConnections?: number;
}

const OWN_FIELDS = new Set(['key', 'windowStart', 'windowEnd']);
// Another process creating the same table at the same moment: its CREATE won, which is all we need.
const ALREADY_CREATED = new Set(['42P07', '23505']);

const parseKafkaKey = (kafkaKey: string) => {
  const at = kafkaKey.lastIndexOf('@');
  const windowStart = at < 0 ? Number.NaN : Date.parse(kafkaKey.slice(at + 1));
  if (Number.isNaN(windowStart)) throw new Error(`"${kafkaKey}" is not a window key: <key>@<windowStart>`);
  return { key: kafkaKey.slice(0, at), windowStart: new Date(windowStart).toISOString() };
};

const instant = (value: unknown, field: string, kafkaKey: string): string => {
  const time =
    typeof value === 'string' || typeof value === 'number' ? Date.parse(String(value)) : Number.NaN;
  if (Number.isNaN(time)) throw new Error(`The result ${kafkaKey} has no ${field} instant`);
  return new Date(time).toISOString();
};

/** Creates the table when missing, then returns the sink; the connection string never leaves it. */
export const createPostgresTableSink = async (
  options: PostgresTableSinkOptions,
): Promise<PostgresTableSink> => {
  const table = quotedTableName(options.config.table);
  const pool = new pg.Pool({
    connectionString: options.cipher.decrypt(options.config.connectionString),
    max: options.maxConnections ?? 2,
  });
  pool.on('error', () => undefined);
  const index = quoteIdentifier(`${bareTableName(options.config.table).slice(0, 48)}_window_start`);
  try {
    await pool.query(
      `CREATE TABLE IF NOT EXISTS ${table} (
         key text NOT NULL,
         window_start timestamptz NOT NULL,
         window_end timestamptz NOT NULL,
         measures jsonb NOT NULL,
         updated_at timestamptz NOT NULL,
         PRIMARY KEY (key, window_start)
       );
       CREATE INDEX IF NOT EXISTS ${index} ON ${table} (window_start)`,
    );
  } catch (error) {
    if (!ALREADY_CREATED.has((error as { code?: string }).code ?? '')) {
      await pool.end();
      throw error;
    }
  }

  return {
    async write(results) {
      const latest = new Map<string, WindowResultRow>();
      for (const result of results) {
        latest.delete(result.kafkaKey);
        latest.set(result.kafkaKey, result);
      }
      if (latest.size === 0) return;
      const keys: string[] = [];
      const starts: string[] = [];
      const ends: (string | null)[] = [];
      const measures: (string | null)[] = [];
      for (const { kafkaKey, record } of latest.values()) {
        if (record === null) {
          const { key, windowStart } = parseKafkaKey(kafkaKey);
          keys.push(key);
          starts.push(windowStart);
          ends.push(null);
          measures.push(null);
          continue;
        }
        keys.push(String(record.key));
        starts.push(instant(record.windowStart, 'windowStart', kafkaKey));
        ends.push(instant(record.windowEnd, 'windowEnd', kafkaKey));
        measures.push(
          JSON.stringify(
            Object.fromEntries(Object.entries(record).filter(([name]) => !OWN_FIELDS.has(name))),
          ),
        );
      }
      // Each window appears once in the batch, so the delete and the upsert never touch one row.
      await pool.query(
        `WITH batch AS (
           SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::timestamptz[], $4::jsonb[])
             AS t(key, window_start, window_end, measures)
         ), removed AS (
           DELETE FROM ${table} AS target USING batch
           WHERE batch.measures IS NULL AND target.key = batch.key AND target.window_start = batch.window_start
         )
         INSERT INTO ${table} (key, window_start, window_end, measures, updated_at)
         SELECT key, window_start, window_end, measures, now() FROM batch WHERE measures IS NOT NULL
         ON CONFLICT (key, window_start) DO UPDATE SET
           window_end = EXCLUDED.window_end, measures = EXCLUDED.measures, updated_at = EXCLUDED.updated_at`,
        [keys, starts, ends, measures],
      );
    },
    close: () => pool.end(),
  };
};
