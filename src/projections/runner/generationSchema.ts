import type pg from 'pg';
import type { Migration } from '../../infra/postgres/migrate.js';
import { quoteIdentifier } from '../../infra/postgres/postgresPool.js';

/**
 * The search_path under which a projection's migrations and `apply` run: its generation schema
 * first, so unqualified names reach its own tables; then the main schema and public, so it can
 * still use what lives there (functions, extensions such as pg_trgm installed in public).
 */
export const generationSearchPath = (generationSchema: string, mainSchema: string) =>
  `${quoteIdentifier(generationSchema)}, ${quoteIdentifier(mainSchema)}, public`;

/**
 * Applies the migrations not yet recorded in the generation's own `schema_migrations`, inside
 * the caller's transaction. Returns how many ran. A projection's migrations must create objects
 * unqualified (they land in the generation schema and go with it) and never an extension: an
 * extension belongs to the database and would be dropped with an old generation.
 */
export const migrateGeneration = async (
  client: pg.ClientBase,
  options: {
    mainSchema: string;
    generationSchema: string;
    projection: string;
    migrations: readonly Migration[];
  },
): Promise<number> => {
  const generation = quoteIdentifier(options.generationSchema);
  await client.query(
    `CREATE TABLE IF NOT EXISTS ${generation}.schema_migrations (
       id text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`,
  );
  const { rows } = await client.query<{ id: string }>(`SELECT id FROM ${generation}.schema_migrations`);
  const applied = new Set(rows.map((row) => row.id));
  let count = 0;
  for (const migration of options.migrations) {
    if (applied.has(migration.id)) continue;
    await client.query(
      `SET LOCAL search_path = ${generationSearchPath(options.generationSchema, options.mainSchema)}`,
    );
    try {
      await client.query(migration.sql);
    } catch (error) {
      throw new Error(
        `Migration ${migration.id} of projection ${options.projection} failed in ${options.generationSchema}: ${(error as Error).message}`,
        { cause: error },
      );
    }
    await client.query(`INSERT INTO ${generation}.schema_migrations (id) VALUES ($1)`, [migration.id]);
    count++;
  }
  await client.query(`SET LOCAL search_path = ${quoteIdentifier(options.mainSchema)}, public`);
  return count;
};

/**
 * Points the main schema's view of each table at the generation's table, inside the caller's
 * transaction: queries keep their unqualified names and see the switch at its commit, all
 * tables at once. Dropped and created rather than replaced, so a generation whose columns
 * differ (often the reason for a rebuild) can be swapped in too. `SELECT *` is expanded when
 * the view is created, so a migration that adds a column is followed by this again.
 */
export const pointViews = async (
  client: pg.ClientBase,
  options: { mainSchema: string; generationSchema: string; tables: readonly string[] },
) => {
  const main = quoteIdentifier(options.mainSchema);
  const generation = quoteIdentifier(options.generationSchema);
  for (const table of options.tables) {
    const name = quoteIdentifier(table);
    await client.query(`DROP VIEW IF EXISTS ${main}.${name}`);
    await client.query(`CREATE VIEW ${main}.${name} AS SELECT * FROM ${generation}.${name}`);
  }
};

/** The tables among `tables` that have no view in the main schema yet. */
export const missingViews = async (client: pg.ClientBase, mainSchema: string, tables: readonly string[]) => {
  const { rows } = await client.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.views WHERE table_schema = $1 AND table_name = ANY($2::text[])`,
    [mainSchema, tables],
  );
  const present = new Set(rows.map((row) => row.table_name));
  return tables.filter((table) => !present.has(table));
};

/** Runs `work` in a transaction on a pooled connection; a connection that failed is not reused. */
export const inTransaction = async <T>(
  pool: pg.Pool,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> => {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch((rollbackError: Error) => {
      broken = rollbackError;
    });
    throw error;
  } finally {
    client.release(broken);
  }
};
