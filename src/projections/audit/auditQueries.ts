import type pg from 'pg';
import { AUDIT_COLUMNS, type AuditRow } from './auditEntry.js';

export interface AuditFilter {
  stream?: string | null;
  actor?: string | null;
  type?: string | null;
  /** Recorded at or after this instant. */
  from?: string | null;
  /** Recorded before this instant. */
  to?: string | null;
}

/**
 * Audit entries newest first, `limit` at most, before position `before` when given (the keyset
 * of the next page: positions are unique and ordered, so a page never skips or repeats one).
 */
export const listAuditEntries = async (
  pool: pg.Pool,
  filter: AuditFilter,
  page: { before: number | null; limit: number },
): Promise<AuditRow[]> => {
  const { rows } = await pool.query<AuditRow>(
    `SELECT ${AUDIT_COLUMNS} FROM audit_log
     WHERE ($1::text IS NULL OR stream_id = $1) AND ($2::text IS NULL OR actor = $2)
       AND ($3::text IS NULL OR event_type = $3)
       AND ($4::timestamptz IS NULL OR recorded_at >= $4) AND ($5::timestamptz IS NULL OR recorded_at < $5)
       AND ($6::bigint IS NULL OR position < $6)
     ORDER BY position DESC LIMIT $7`,
    [
      filter.stream ?? null,
      filter.actor ?? null,
      filter.type ?? null,
      filter.from ?? null,
      filter.to ?? null,
      page.before,
      page.limit,
    ],
  );
  return rows;
};
