import type { Migration } from '../../infra/postgres/migrate.js';

/**
 * The relay's tables, in the main schema. One checkpoint row per relay name (the topic it
 * publishes to): the global position of the last event whose batch the log acknowledged.
 */
export const relayMigrations: Migration[] = [
  {
    id: 'relay-001-checkpoints',
    sql: `CREATE TABLE relay_checkpoints (
            name text PRIMARY KEY,
            position bigint NOT NULL,
            updated_at timestamptz NOT NULL DEFAULT now()
          )`,
  },
];
