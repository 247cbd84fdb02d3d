import type pg from 'pg';
import { LOCK_CLASS, projectionLockKey } from './generationNames.js';
import { LeadershipLostError } from './runnerContext.js';

export interface LeaderLock {
  /** Tries once to become the leader, (re)connecting when needed; false when another runner leads. */
  tryAcquire(): Promise<boolean>;
  /** Proves the lock is still held with a round trip on its connection; throws when it is not. */
  heartbeat(): Promise<void>;
  /** Gives the lock up and closes the connection. */
  close(): Promise<void>;
}

export interface LeaderLockOptions {
  /** A new client, outside any pool: the lock lives and dies with this one connection. */
  connect(): pg.Client;
  schema: string;
  projection: string;
  /** Called once each time a held lock is lost because its connection ended or failed. */
  onLost(): void;
}

/**
 * Leadership of one projection across processes: a session-level `pg_try_advisory_lock` on a
 * dedicated connection. PostgreSQL releases it when that session ends, however it ends (process
 * killed, connection cut, backend terminated), so a standby's next try succeeds. Every runner
 * also holds a shared lock on the same key, which only lets readers count the runners.
 *
 * The lock alone does not fence a leader that has not noticed its loss yet: every write of the
 * runner is also conditional on the status row naming it as leader (see leaderWrites.ts).
 */
export const leaderLock = (options: LeaderLockOptions): LeaderLock => {
  const key = projectionLockKey(options.schema, options.projection);
  let client: pg.Client | null = null;
  let held = false;

  const drop = (broken: pg.Client) => {
    if (client !== broken) return;
    client = null;
    broken.end().catch(() => undefined);
    if (held) {
      held = false;
      options.onLost();
    }
  };

  const open = async () => {
    if (client) return client;
    const fresh = options.connect();
    fresh.on('error', () => drop(fresh));
    fresh.on('end', () => drop(fresh));
    client = fresh;
    try {
      await fresh.connect();
      await fresh.query('SELECT pg_advisory_lock_shared($1, $2)', [LOCK_CLASS.runner, key]);
    } catch (error) {
      drop(fresh);
      throw error;
    }
    return fresh;
  };

  return {
    async tryAcquire() {
      if (held) return true;
      const connection = await open();
      try {
        const { rows } = await connection.query<{ locked: boolean }>(
          'SELECT pg_try_advisory_lock($1, $2) AS locked',
          [LOCK_CLASS.leader, key],
        );
        held = rows[0]?.locked === true;
      } catch (error) {
        drop(connection);
        throw error;
      }
      return held;
    },
    async heartbeat() {
      const connection = client;
      if (!connection || !held) throw new LeadershipLostError(options.projection);
      try {
        await connection.query('SELECT 1');
      } catch {
        drop(connection);
        throw new LeadershipLostError(options.projection);
      }
    },
    async close() {
      const connection = client;
      client = null;
      held = false;
      // Ending the session releases both locks; no unlock round trip needed.
      await connection?.end().catch(() => undefined);
    },
  };
};
