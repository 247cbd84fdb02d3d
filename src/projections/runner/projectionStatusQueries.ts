import type pg from 'pg';
import { TributaryError } from '../../errors.js';
import { LOCK_CLASS, lockKeySql } from './generationNames.js';
import {
  type ProjectionStatusRecord,
  type ProjectionStatusView,
  toProjectionStatusView,
} from './projectionStatusView.js';

// Unqualified names: these run on the API's and the CLI's pools, whose search_path starts with
// the main schema, which is also what the lock keys are derived from (current_schema()).
const RECORDS = `
  SELECT s.*,
    EXISTS (SELECT 1 FROM pg_locks l
            WHERE l.locktype = 'advisory' AND l.granted AND l.database = d.oid AND l.objsubid = 2
              AND l.classid::bigint = $1 AND l.objid::bigint = k.key) AS leader_alive,
    (SELECT count(*)::int FROM pg_locks l
     WHERE l.locktype = 'advisory' AND l.granted AND l.database = d.oid AND l.objsubid = 2
       AND l.classid::bigint = $2 AND l.objid::bigint = k.key) AS runners
  FROM projection_status s
  CROSS JOIN LATERAL (SELECT ${lockKeySql('s.name')}::bigint AS key) k
  CROSS JOIN (SELECT oid FROM pg_database WHERE datname = current_database()) d`;

/** Every projection's status (or those named), by name. */
export const readProjectionStatuses = async (
  pool: pg.Pool,
  names?: readonly string[],
): Promise<ProjectionStatusView[]> => {
  const { rows } = await pool.query<ProjectionStatusRecord>(
    `${RECORDS} WHERE ($3::text[] IS NULL OR s.name = ANY($3::text[])) ORDER BY s.name`,
    [LOCK_CLASS.leader, LOCK_CLASS.runner, names ?? null],
  );
  return rows.map(toProjectionStatusView);
};

export const readProjectionStatus = async (pool: pg.Pool, name: string): Promise<ProjectionStatusView> => {
  const [status] = await readProjectionStatuses(pool, [name]);
  if (!status)
    throw new TributaryError('PROJECTION_NOT_FOUND', { message: `No projection is named ${name}` });
  return status;
};

/**
 * Asks the projection's leader to rebuild it: a new generation filled from the first event
 * while the current one keeps serving, then swapped in. The leader picks the request up
 * within a tick; with no runner, it waits for one.
 */
export const requestRebuild = async (pool: pg.Pool, name: string): Promise<ProjectionStatusView> => {
  const { rowCount } = await pool.query(
    `UPDATE projection_status SET rebuild_requested_at = now(), updated_at = now()
     WHERE name = $1 AND rebuild_generation IS NULL AND rebuild_requested_at IS NULL`,
    [name],
  );
  const status = await readProjectionStatus(pool, name);
  if (rowCount === 0) {
    throw new TributaryError('PROJECTION_REBUILD_IN_PROGRESS', {
      message: `Projection ${name} is already being rebuilt${status.rebuild?.generation ? ` into generation ${status.rebuild.generation}` : ''}`,
    });
  }
  return status;
};

/** Asks the leader of a failed projection to apply from its checkpoint again (after a fix, say). */
export const requestResume = async (pool: pg.Pool, name: string): Promise<ProjectionStatusView> => {
  const { rowCount } = await pool.query(
    `UPDATE projection_status SET resume_requested_at = now(), updated_at = now()
     WHERE name = $1 AND status = 'failed'`,
    [name],
  );
  const status = await readProjectionStatus(pool, name);
  if (rowCount === 0) {
    throw new TributaryError('PROJECTION_NOT_FAILED', {
      message: `Projection ${name} has not failed (it is ${status.status}); there is nothing to resume`,
    });
  }
  return status;
};
