import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import { TributaryError } from '../../errors.js';

export interface WaitForPositionOptions {
  /** The projections that must have caught up; all of them when absent. */
  projections?: readonly string[];
  timeoutMs: number;
}

const FIRST_POLL_MS = 5;
const MAX_POLL_MS = 100;

/**
 * Read-your-writes: resolves once every projection (or every one named) has committed its
 * checkpoint at or past `position`, the position a mutation returned. Polls the checkpoints,
 * quickly at first then every 100 ms at most, and never longer than `timeoutMs`: then it throws
 * CONSISTENCY_TIMEOUT naming the projections still behind (a failed one never catches up).
 */
export const waitForPosition = async (
  pool: pg.Pool,
  position: number,
  options: WaitForPositionOptions,
): Promise<void> => {
  const deadline = Date.now() + options.timeoutMs;
  const names = options.projections ?? null;
  for (let delay = FIRST_POLL_MS; ; delay = Math.min(delay * 2, MAX_POLL_MS)) {
    const { rows } = await pool.query<{ name: string; position: number; status: string }>(
      'SELECT name, position, status FROM projection_status WHERE ($1::text[] IS NULL OR name = ANY($1::text[]))',
      [names],
    );
    const unknown = names?.filter((name) => !rows.some((row) => row.name === name)) ?? [];
    if (unknown.length > 0) {
      throw new TributaryError('PROJECTION_NOT_FOUND', {
        message: `No projection is named ${unknown.join(', ')}`,
      });
    }
    const behind = rows.filter((row) => row.position < position);
    if (behind.length === 0) return;
    const remaining = deadline - Date.now();
    if (remaining <= 0) {
      const list = behind.map(
        (row) => `${row.name} at ${row.position}${row.status === 'failed' ? ' (failed)' : ''}`,
      );
      throw new TributaryError('CONSISTENCY_TIMEOUT', {
        message: `The read models did not reach position ${position} within ${options.timeoutMs} ms: ${list.join(', ')}`,
      });
    }
    await sleep(Math.min(delay, remaining));
  }
};
