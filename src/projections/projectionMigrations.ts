import type { Migration } from '../infra/postgres/migrate.js';

/**
 * The runner's own tables, in the main schema. A projection's tables are not here: the runner
 * creates them in a generation schema of their own (see runner/prepareProjection.ts).
 */
export const projectionRunnerMigrations: Migration[] = [
  {
    id: 'projections-001-checkpoints',
    sql: `CREATE TABLE projection_checkpoints (
            name text PRIMARY KEY,
            position bigint NOT NULL,
            updated_at timestamptz NOT NULL DEFAULT now()
          )`,
  },
  {
    // One row per projection: its checkpoint (`position`, moved in the same transaction as the
    // rows of the current generation), what its leader is doing, and a rebuild's progress
    // (`rebuild_position` moves with the rows of the generation being built). Checkpoints of
    // the walking skeleton carry over as generation 0: tables still in the main schema, which
    // the runner moves into generation 1 on its first start (prepareProjection.ts).
    id: 'projections-002-status',
    sql: `CREATE TABLE projection_status (
            name text PRIMARY KEY,
            status text NOT NULL DEFAULT 'stopped'
              CHECK (status IN ('running', 'standby', 'rebuilding', 'failed', 'stopped')),
            generation int NOT NULL,
            schema_name text,
            position bigint NOT NULL DEFAULT 0,
            head bigint NOT NULL DEFAULT 0,
            leader text,
            error_message text,
            error_position bigint,
            failed_at timestamptz,
            resume_requested_at timestamptz,
            rebuild_requested_at timestamptz,
            rebuild_generation int,
            rebuild_schema text,
            rebuild_position bigint,
            rebuild_done bigint,
            rebuild_total bigint,
            rebuild_rate double precision,
            rebuild_started_at timestamptz,
            last_rebuild_error text,
            last_rebuild_error_position bigint,
            last_rebuild_failed_at timestamptz,
            last_rebuilt_at timestamptz,
            updated_at timestamptz NOT NULL DEFAULT now()
          );
          INSERT INTO projection_status (name, generation, position)
            SELECT name, 0, position FROM projection_checkpoints;
          DROP TABLE projection_checkpoints;`,
  },
];
