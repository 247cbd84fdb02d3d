import type { ProjectionState, ProjectionStatusRow } from './projectionStatusRow.js';

/**
 * A projection's status as the API, the CLI and `projectionProgress` show it: plain JSON, so it
 * crosses Redis unchanged. Positions are decimal strings, like GraphQL's `Position`.
 */
export interface ProjectionStatusView {
  name: string;
  status: ProjectionState;
  generation: number;
  position: string;
  head: string;
  /** head - position, in position units (events on PostgreSQL; bytes on EventStoreDB). */
  lag: string;
  leader: string | null;
  error: ProjectionErrorView | null;
  rebuild: ProjectionRebuildView | null;
  lastRebuildError: ProjectionErrorView | null;
  lastRebuiltAt: string | null;
  updatedAt: string;
}

export interface ProjectionErrorView {
  message: string;
  position: string | null;
  at: string | null;
}

export interface ProjectionRebuildView {
  requestedAt: string | null;
  /** Null while the request waits for the leader to pick it up. */
  generation: number | null;
  startedAt: string | null;
  position: string | null;
  done: number;
  total: number;
  eventsPerSecond: number;
  /** Null until there is a rate to go by. */
  etaSeconds: number | null;
}

/** A row plus what only the database can tell: does a runner hold the leader lock, and do others wait. */
export interface ProjectionStatusRecord extends ProjectionStatusRow {
  leader_alive: boolean;
  runners: number;
}

/**
 * The status column says what the last leader did. Without a live leader it no longer holds:
 * runners waiting for the lock make it `standby` (one takes over within a second or so), no
 * runner at all makes it `stopped`. A failure stays `failed` until a leader tries again.
 */
const stateOf = (record: ProjectionStatusRecord): ProjectionState => {
  if (record.leader_alive || record.status === 'failed') return record.status;
  return record.runners > 0 ? 'standby' : 'stopped';
};

const iso = (date: Date | null) => date?.toISOString() ?? null;
const positionText = (position: number | null) => (position === null ? null : String(position));

export const toProjectionStatusView = (record: ProjectionStatusRecord): ProjectionStatusView => {
  const head = Math.max(record.head, record.position);
  return {
    name: record.name,
    status: stateOf(record),
    generation: record.generation,
    position: String(record.position),
    head: String(head),
    lag: String(head - record.position),
    leader: record.leader_alive ? record.leader : null,
    error:
      record.error_message === null
        ? null
        : {
            message: record.error_message,
            position: positionText(record.error_position),
            at: iso(record.failed_at),
          },
    rebuild: toRebuildView(record),
    lastRebuildError:
      record.last_rebuild_error === null
        ? null
        : {
            message: record.last_rebuild_error,
            position: positionText(record.last_rebuild_error_position),
            at: iso(record.last_rebuild_failed_at),
          },
    lastRebuiltAt: iso(record.last_rebuilt_at),
    updatedAt: record.updated_at.toISOString(),
  };
};

const toRebuildView = (row: ProjectionStatusRow): ProjectionRebuildView | null => {
  if (row.rebuild_generation === null && row.rebuild_requested_at === null) return null;
  const done = row.rebuild_done ?? 0;
  const total = Math.max(row.rebuild_total ?? row.head, done);
  const rate = row.rebuild_rate ?? 0;
  return {
    requestedAt: iso(row.rebuild_requested_at),
    generation: row.rebuild_generation,
    startedAt: iso(row.rebuild_started_at),
    position: positionText(row.rebuild_position),
    done,
    total,
    eventsPerSecond: Math.round(rate * 10) / 10,
    etaSeconds: rate > 0 ? Math.ceil((total - done) / rate) : null,
  };
};
