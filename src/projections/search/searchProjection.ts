import type pg from 'pg';
import type { RecordedEvent } from '../../infra/eventstore/eventStore.js';
import type { Projection } from '../projection.js';
import {
  describeDocument,
  documentKeyOf,
  nextDocument,
  type SearchDocument,
  type SearchedEvent,
} from './searchDocument.js';

type DocumentRow = SearchDocument & { last_position: number };

/**
 * The `search_documents` read model: one row per pipeline, connector, user and run, with a
 * full-text `document` (title weighted above subtitle and keywords) and a trigram index on the
 * title for suggestions on misspelt queries. pg_trgm lives in `public`, where every schema finds
 * it; everything of it is named schema-qualified so it works whatever the search_path.
 */
export const searchProjection: Projection = {
  name: 'search',
  tables: ['search_documents'],
  migrations: [
    {
      id: 'search-001-documents',
      // The lock serialises CREATE EXTENSION across processes migrating at the same time, which
      // "IF NOT EXISTS" alone does not (the loser fails on a unique key of pg_extension).
      sql: `SELECT pg_advisory_xact_lock(7362101);
            CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;
            CREATE TABLE search_documents (
              kind text NOT NULL,
              id text NOT NULL,
              title text NOT NULL,
              subtitle text NOT NULL,
              keywords text NOT NULL,
              facts jsonb NOT NULL,
              deleted boolean NOT NULL,
              document tsvector GENERATED ALWAYS AS (
                setweight(to_tsvector('pg_catalog.english', title), 'A') ||
                setweight(to_tsvector('pg_catalog.english', subtitle || ' ' || keywords), 'B')
              ) STORED,
              last_position bigint NOT NULL,
              PRIMARY KEY (kind, id)
            );
            CREATE INDEX search_documents_document ON search_documents USING gin (document);
            CREATE INDEX search_documents_title_trgm ON search_documents USING gist (title public.gist_trgm_ops);`,
    },
  ],
  async apply(client, events) {
    for (const event of events) await applyEvent(client, event);
    return [];
  },
};

const readDocument = async (client: pg.ClientBase, kind: string, id: string) =>
  (
    await client.query<DocumentRow>(
      'SELECT kind, id, title, facts, deleted, last_position FROM search_documents WHERE kind = $1 AND id = $2',
      [kind, id],
    )
  ).rows[0];

const applyEvent = async (client: pg.ClientBase, event: RecordedEvent) => {
  const key = documentKeyOf(event);
  if (!key) return;
  const current = await readDocument(client, key.kind, key.id);
  if (current && current.last_position >= event.position) return;
  const searched = event as RecordedEvent & SearchedEvent;
  const pipeline =
    searched.type === 'RunRequested'
      ? await readDocument(client, 'pipeline', searched.data.pipelineId)
      : undefined;
  const next = nextDocument(current ?? null, searched, pipeline?.title);
  if (!next) return;
  const { subtitle, keywords } = describeDocument(next);
  await client.query(
    `INSERT INTO search_documents (kind, id, title, subtitle, keywords, facts, deleted, last_position)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     ON CONFLICT (kind, id) DO UPDATE SET title = EXCLUDED.title, subtitle = EXCLUDED.subtitle,
       keywords = EXCLUDED.keywords, facts = EXCLUDED.facts, deleted = EXCLUDED.deleted,
       last_position = EXCLUDED.last_position
     WHERE search_documents.last_position < EXCLUDED.last_position`,
    [
      next.kind,
      next.id,
      next.title,
      subtitle,
      keywords,
      JSON.stringify(next.facts),
      next.deleted,
      event.position,
    ],
  );
};
