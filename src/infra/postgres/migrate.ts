import type pg from 'pg';
import { quoteIdentifier } from './postgresPool.js';

/** One forward-only schema change. `id` is never renamed once released; order is the array's. */
export interface Migration {
  id: string;
  sql: string;
}

// Any fixed 64-bit number works; it only has to differ from the other advisory locks we take.
const MIGRATION_LOCK = 7_362_001;

/**
 * Applies the migrations not yet recorded in `schema`, each in its own transaction.
 * Several processes may start at once: the advisory lock makes the others wait, then find
 * nothing left to do.
 */
export const migrate = async (pool: pg.Pool, schema: string, migrations: readonly Migration[]) => {
  const client = await pool.connect();
  try {
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(schema)}`);
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      await client.query(
        `CREATE TABLE IF NOT EXISTS ${quoteIdentifier(schema)}.schema_migrations (
           id text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`,
      );
      const { rows } = await client.query<{ id: string }>(
        `SELECT id FROM ${quoteIdentifier(schema)}.schema_migrations`,
      );
      const applied = new Set(rows.map((row) => row.id));
      for (const migration of migrations) {
        if (applied.has(migration.id)) continue;
        await client.query('BEGIN');
        try {
          await client.query(`SET LOCAL search_path = ${quoteIdentifier(schema)}`);
          await client.query(migration.sql);
          await client.query(`INSERT INTO ${quoteIdentifier(schema)}.schema_migrations (id) VALUES ($1)`, [
            migration.id,
          ]);
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK');
          throw new Error(`Migration ${migration.id} failed: ${(error as Error).message}`, { cause: error });
        }
      }
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    }
  } finally {
    client.release();
  }
};
