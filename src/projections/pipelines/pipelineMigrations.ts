import type { Migration } from '../../infra/postgres/migrate.js';

/**
 * The tables of the pipelines read model, unqualified: the projection runner picks their
 * schema. Released migrations are never edited; a change is a new one.
 */
export const pipelineMigrations: readonly Migration[] = [
  {
    id: 'pipelines-001-table',
    sql: `CREATE TABLE pipelines (
            id text PRIMARY KEY,
            name text NOT NULL,
            status text NOT NULL,
            version int NOT NULL,
            definition jsonb NOT NULL,
            created_at timestamptz NOT NULL,
            updated_at timestamptz NOT NULL,
            last_position bigint NOT NULL
          );
          CREATE INDEX pipelines_created_at ON pipelines (created_at, id);`,
  },
  {
    // Until this migration the read model followed only PipelineCreated, PipelineActivated and
    // PipelinePaused, the only pipeline events the API could write: every pipeline then had
    // exactly its version 1, published at creation, which is what the backfill records.
    id: 'pipelines-002-versions-and-origins',
    sql: `ALTER TABLE pipelines
            ADD COLUMN latest_version int,
            ADD COLUMN archived_at timestamptz,
            ADD COLUMN cloned_from_id text,
            ADD COLUMN cloned_from_version int,
            ADD COLUMN template_id text;
          UPDATE pipelines SET latest_version = version;
          ALTER TABLE pipelines ALTER COLUMN latest_version SET NOT NULL;
          CREATE INDEX pipelines_updated_at ON pipelines (updated_at, id);
          CREATE INDEX pipelines_name ON pipelines (name, id);
          CREATE TABLE pipeline_versions (
            pipeline_id text NOT NULL,
            version int NOT NULL,
            definition jsonb NOT NULL,
            status text NOT NULL,
            saved_at timestamptz NOT NULL,
            published_at timestamptz,
            last_position bigint NOT NULL,
            PRIMARY KEY (pipeline_id, version)
          );
          INSERT INTO pipeline_versions
            (pipeline_id, version, definition, status, saved_at, published_at, last_position)
          SELECT id, version, definition, 'published', created_at, created_at, last_position FROM pipelines;`,
  },
];
