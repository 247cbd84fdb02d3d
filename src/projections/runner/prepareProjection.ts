import type pg from 'pg';
import { quoteIdentifier } from '../../infra/postgres/postgresPool.js';
import type { Projection } from '../projection.js';
import { generationSchemaName, LOCK_CLASS, projectionLockKey } from './generationNames.js';
import { inTransaction, migrateGeneration, missingViews, pointViews } from './generationSchema.js';

export interface PrepareProjectionOptions {
  pool: pg.Pool;
  /** The main schema: where the views, `projection_status` and the platform's tables live. */
  schema: string;
  projection: Projection;
}

/**
 * Makes a projection queryable, in one transaction, whatever role the process runs: its
 * current generation exists, has every migration, and the main schema has a view per table.
 * Every process calls it at start; a transaction-level advisory lock lets one do the work.
 *
 * - No row in `projection_status`: generation 1 is created empty; the leader fills it.
 * - Generation 0, or tables of the projection in the main schema (an install from before
 *   generations): those tables are moved into generation 1 with their checkpoint and the
 *   record of their migrations (ALTER TABLE ... SET SCHEMA: no copy, indexes and owned
 *   sequences move along), so nothing is replayed and no query sees an empty table.
 */
export const prepareProjection = async ({ pool, schema, projection }: PrepareProjectionOptions) =>
  inTransaction(pool, async (client) => {
    const main = quoteIdentifier(schema);
    await client.query('SELECT pg_advisory_xact_lock($1, $2)', [
      LOCK_CLASS.setup,
      projectionLockKey(schema, projection.name),
    ]);
    const { rows } = await client.query<{
      generation: number;
      schema_name: string | null;
      rebuild_schema: string | null;
    }>(
      `SELECT generation, schema_name, rebuild_schema FROM ${main}.projection_status WHERE name = $1 FOR UPDATE`,
      [projection.name],
    );
    const row = rows[0];
    let generationSchema = row?.schema_name ?? null;
    let created = false;
    if (!row || row.generation === 0 || generationSchema === null) {
      generationSchema = await createFirstGeneration(client, schema, projection, row !== undefined);
      created = true;
    }
    const migrate = (generation: string) =>
      migrateGeneration(client, {
        mainSchema: schema,
        generationSchema: generation,
        projection: projection.name,
        migrations: projection.migrations,
      });
    const applied = await migrate(generationSchema);
    // A rebuild under way was migrated by the code that started it; bring it up to this code's.
    if (row?.rebuild_schema) await migrate(row.rebuild_schema);
    const missing = await missingViews(client, schema, projection.tables);
    if (created || applied > 0 || missing.length > 0) {
      await pointViews(client, { mainSchema: schema, generationSchema, tables: projection.tables });
    }
    return { generationSchema };
  });

const createFirstGeneration = async (
  client: pg.ClientBase,
  schema: string,
  projection: Projection,
  hasRow: boolean,
) => {
  const main = quoteIdentifier(schema);
  const generationSchema = generationSchemaName(schema, projection.name, 1);
  const generation = quoteIdentifier(generationSchema);
  // No row names this schema, so anything in it is left over (its main schema was dropped
  // and created again): nothing can read it.
  await client.query(`DROP SCHEMA IF EXISTS ${generation} CASCADE`);
  await client.query(`CREATE SCHEMA ${generation}`);
  const { rows: legacy } = await client.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables
     WHERE table_schema = $1 AND table_type = 'BASE TABLE' AND table_name = ANY($2::text[])`,
    [schema, projection.tables],
  );
  let position = 0;
  if (legacy.length > 0) {
    for (const { table_name } of legacy) {
      await client.query(`ALTER TABLE ${main}.${quoteIdentifier(table_name)} SET SCHEMA ${generation}`);
    }
    await client.query(
      `CREATE TABLE ${generation}.schema_migrations (id text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    await client.query(
      `INSERT INTO ${generation}.schema_migrations (id, applied_at)
       SELECT id, applied_at FROM ${main}.schema_migrations WHERE id = ANY($1::text[])`,
      [projection.migrations.map((migration) => migration.id)],
    );
    const { rows } = await client.query<{ position: number }>(
      `SELECT position FROM ${main}.projection_status WHERE name = $1`,
      [projection.name],
    );
    position = rows[0]?.position ?? 0;
  }
  // Without the tables, a carried-over checkpoint describes nothing: start from zero.
  const values = [projection.name, generationSchema, position];
  await client.query(
    hasRow
      ? `UPDATE ${main}.projection_status SET generation = 1, schema_name = $2, position = $3, updated_at = now()
         WHERE name = $1`
      : `INSERT INTO ${main}.projection_status (name, generation, schema_name, position) VALUES ($1, 1, $2, $3)`,
    values,
  );
  return generationSchema;
};
