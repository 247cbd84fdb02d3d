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
  {
    id: 'eventstore-002-append-function',
    // One call appends a whole batch (see postgresAppender.ts): one round trip and one WAL
    // flush for many appends. Per append: move the stream's revision if the expectation
    // holds (else report null and write nothing for it), take positions from the global row,
    // insert. Existing stream rows are locked first in stream order, and the global row is
    // held until commit, so positions follow commit order and batches never deadlock on
    // streams that already exist.
    sql: `
      CREATE FUNCTION append_events(appends jsonb, channel text)
      RETURNS TABLE (out_ord int, out_revision bigint, out_position bigint)
      LANGUAGE plpgsql AS $fn$
      DECLARE
        item jsonb;
        n int;
        target text;
        expected text;
        rev bigint;
        pos bigint;
        last_pos bigint;
        i int := 0;
      BEGIN
        IF jsonb_array_length(appends) > 1 THEN
          PERFORM 1 FROM streams s
            WHERE s.stream_id IN (SELECT x->>'stream' FROM jsonb_array_elements(appends) x)
            ORDER BY s.stream_id FOR UPDATE;
        END IF;
        FOR item IN SELECT value FROM jsonb_array_elements(appends) LOOP
          i := i + 1;
          target := item->>'stream';
          expected := item->>'expected';
          n := jsonb_array_length(item->'events');
          rev := NULL;
          IF expected = 'any' THEN
            INSERT INTO streams AS s (stream_id, revision) VALUES (target, n - 1)
              ON CONFLICT (stream_id) DO UPDATE SET revision = s.revision + n
              RETURNING s.revision INTO rev;
          ELSIF expected = 'no_stream' THEN
            INSERT INTO streams AS s (stream_id, revision) VALUES (target, n - 1)
              ON CONFLICT (stream_id) DO NOTHING
              RETURNING s.revision INTO rev;
          ELSIF expected = 'stream_exists' THEN
            UPDATE streams s SET revision = s.revision + n WHERE s.stream_id = target
              RETURNING s.revision INTO rev;
          ELSE
            UPDATE streams s SET revision = s.revision + n
              WHERE s.stream_id = target AND s.revision = expected::bigint
              RETURNING s.revision INTO rev;
          END IF;
          IF rev IS NULL THEN
            out_ord := i; out_revision := NULL; out_position := NULL;
            RETURN NEXT;
            CONTINUE;
          END IF;
          UPDATE global_position g SET value = g.value + n RETURNING g.value INTO pos;
          INSERT INTO events (position, id, stream_id, revision, type, data, metadata)
            SELECT pos - n + e.ord, (e.ev->>'id')::uuid, target, rev - n + e.ord,
                   e.ev->>'type', e.ev->'data', e.ev->'metadata'
            FROM jsonb_array_elements(item->'events') WITH ORDINALITY AS e(ev, ord);
          last_pos := pos;
          out_ord := i; out_revision := rev; out_position := pos;
          RETURN NEXT;
        END LOOP;
        IF last_pos IS NOT NULL THEN
          PERFORM pg_notify(channel, last_pos::text);
        END IF;
      END
      $fn$;
    `,
  },
  {
    id: 'eventstore-003-drop-type-index',
    // Nothing reads by type alone at a scale that needs it, and every appended event paid for
    // keeping it. Type-filtered reads scan in position order instead.
    sql: 'DROP INDEX events_type_position;',
  },
];
