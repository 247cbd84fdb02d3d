import type { Migration } from '../postgres/migrate.js';

export const postgresEventStoreMigrations: Migration[] = [
  {
    id: 'eventstore-001-events',
    sql: `
      CREATE TABLE streams (
        stream_id text PRIMARY KEY,
        revision bigint NOT NULL
      );
      CREATE TABLE events (
        position bigint PRIMARY KEY,
        id uuid NOT NULL UNIQUE,
        stream_id text NOT NULL,
        revision bigint NOT NULL,
        type text NOT NULL,
        data jsonb NOT NULL,
        metadata jsonb NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        UNIQUE (stream_id, revision)
      );
      CREATE INDEX events_type_position ON events (type, position);
      -- One row: the last global position handed out. Appends update it last, just before
      -- they commit, so positions follow commit order (see postgresEventStore.ts).
      CREATE TABLE global_position (
        singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
        value bigint NOT NULL
      );
      INSERT INTO global_position (value) VALUES (0);
    `,
  },
];
