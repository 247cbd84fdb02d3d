import type pg from 'pg';
import type { RecordedEvent } from '../../infra/eventstore/eventStore.js';
import type { LiveUpdate, Projection } from '../projection.js';
import { AUDIT_COLUMNS, type AuditRow, toAuditEntryView } from './auditEntry.js';
import { referencedStreams, subjectUpdateOf } from './auditSubjects.js';
import { changedFields, type FieldDigests, fieldDigests } from './fieldDigests.js';
import { redactSecrets } from './redactSecrets.js';
import { summarizeEvent } from './summarizeEvent.js';

/** Topic of the live update published for every audit entry, after it has committed. */
export const AUDIT_EVENT = 'auditEvent';

/** Who acted when an event's metadata names nobody: the platform itself (processors, timers). */
export const SYSTEM_ACTOR = 'system';

interface SubjectRow {
  stream_id: string;
  label: string | null;
  field_digests: FieldDigests | null;
}

/**
 * The `audit_log` read model: one row per event of every stream, keyed by its global position,
 * with who, when, why (correlation) and a one-line summary, of the event brought to its current
 * shape (the runner upcasts every event before `apply`). Data is stored only as `redactSecrets` leaves it. `audit_subjects` remembers the names of subjects (and digests of
 * their settings) so summaries can say "updated connector Orders DB: changed config.url".
 * A redelivered event hits the position key and changes nothing.
 */
export const auditProjection: Projection = {
  name: 'audit',
  tables: ['audit_log', 'audit_subjects'],
  migrations: [
    {
      id: 'audit-001-tables',
      sql: `CREATE TABLE audit_log (
              position bigint PRIMARY KEY,
              event_id text NOT NULL,
              recorded_at timestamptz NOT NULL,
              occurred_at timestamptz,
              actor text,
              correlation_id text,
              causation_id text,
              stream_id text NOT NULL,
              event_type text NOT NULL,
              summary text NOT NULL,
              data jsonb NOT NULL
            );
            CREATE INDEX audit_log_stream ON audit_log (stream_id, position);
            CREATE INDEX audit_log_actor ON audit_log (actor, position);
            CREATE INDEX audit_log_type ON audit_log (event_type, position);
            CREATE INDEX audit_log_recorded_at ON audit_log (recorded_at);
            CREATE TABLE audit_subjects (
              stream_id text PRIMARY KEY,
              label text,
              field_digests jsonb,
              last_position bigint NOT NULL
            );`,
    },
  ],
  async apply(client, events) {
    const updates: LiveUpdate[] = [];
    for (const event of events) {
      const row = await applyEvent(client, event);
      if (row) updates.push({ topic: AUDIT_EVENT, payload: toAuditEntryView(row) });
    }
    return updates;
  },
};

const applyEvent = async (client: pg.ClientBase, event: RecordedEvent): Promise<AuditRow | undefined> => {
  const { rows: subjects } = await client.query<SubjectRow>(
    'SELECT stream_id, label, field_digests FROM audit_subjects WHERE stream_id = ANY($1)',
    [referencedStreams(event)],
  );
  const labels = new Map(subjects.map((subject) => [subject.stream_id, subject.label ?? undefined]));
  const nameOf = (streamId: string) => labels.get(streamId);
  const update = subjectUpdateOf(event, nameOf);
  const digests = update?.tracked === undefined ? null : fieldDigests(update.tracked);
  const before = subjects.find((subject) => subject.stream_id === event.streamId)?.field_digests;
  const { actor, correlationId, causationId, occurredAt } = event.metadata;
  const summary = summarizeEvent(event, {
    actor: actor ? (nameOf(`user-${actor}`) ?? actor) : SYSTEM_ACTOR,
    nameOf,
    changedFields: digests && before ? changedFields(before, digests) : null,
  });
  const { rows } = await client.query<AuditRow>(
    `INSERT INTO audit_log (${AUDIT_COLUMNS})
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
     ON CONFLICT (position) DO NOTHING RETURNING ${AUDIT_COLUMNS}`,
    [
      event.position,
      event.id,
      event.recordedAt,
      occurredAt && !Number.isNaN(Date.parse(occurredAt)) ? occurredAt : null,
      actor ?? null,
      correlationId ?? null,
      causationId ?? null,
      event.streamId,
      event.type,
      summary,
      JSON.stringify(redactSecrets(event.data) ?? null),
    ],
  );
  if (update) {
    await client.query(
      `INSERT INTO audit_subjects (stream_id, label, field_digests, last_position) VALUES ($1, $2, $3, $4)
       ON CONFLICT (stream_id) DO UPDATE SET
         label = COALESCE(EXCLUDED.label, audit_subjects.label),
         field_digests = COALESCE(EXCLUDED.field_digests, audit_subjects.field_digests),
         last_position = EXCLUDED.last_position
       WHERE audit_subjects.last_position < EXCLUDED.last_position`,
      [event.streamId, update.label ?? null, digests && JSON.stringify(digests), event.position],
    );
  }
  return rows[0];
};
