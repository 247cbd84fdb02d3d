/** A row of the `audit_log` read model. */
export interface AuditRow {
  position: number;
  event_id: string;
  recorded_at: Date;
  occurred_at: Date | null;
  actor: string | null;
  correlation_id: string | null;
  causation_id: string | null;
  stream_id: string;
  event_type: string;
  summary: string;
  data: unknown;
}

export const AUDIT_COLUMNS =
  'position, event_id, recorded_at, occurred_at, actor, correlation_id, causation_id, stream_id, event_type, summary, data';

/** An audit entry as clients see it, plain JSON so it crosses Redis pub/sub unchanged. */
export interface AuditEntryView {
  position: string;
  eventId: string;
  recordedAt: string;
  occurredAt: string | null;
  actor: string | null;
  correlationId: string | null;
  causationId: string | null;
  stream: string;
  type: string;
  summary: string;
  /** The event's data with secrets redacted (see `redactSecrets`). */
  data: unknown;
}

export const toAuditEntryView = (row: AuditRow): AuditEntryView => ({
  position: String(row.position),
  eventId: row.event_id,
  recordedAt: row.recorded_at.toISOString(),
  occurredAt: row.occurred_at?.toISOString() ?? null,
  actor: row.actor,
  correlationId: row.correlation_id,
  causationId: row.causation_id,
  stream: row.stream_id,
  type: row.event_type,
  summary: row.summary,
  data: row.data,
});
