import type { Migration } from '../infra/postgres/migrate.js';

export const projectionRunnerMigrations: Migration[] = [
  {
    id: 'projections-001-checkpoints',
    sql: `CREATE TABLE projection_checkpoints (
            name text PRIMARY KEY,
            position bigint NOT NULL,
            updated_at timestamptz NOT NULL DEFAULT now()
          )`,
  },
];
