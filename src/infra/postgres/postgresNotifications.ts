import type pg from 'pg';
import { quoteIdentifier } from './postgresPool.js';

export interface PostgresNotifications {
  /** Calls `listener` on every NOTIFY on `channel`; returns the function that stops it. */
  on(channel: string, listener: () => void): () => void;
  close(): Promise<void>;
}

const RECONNECT_DELAY_MS = 1_000;

/**
 * One LISTEN connection shared by every subscriber of a pool. Notifications are only a hint
 * to read sooner: subscribers also poll slowly, so a notification lost while this connection
 * is down delays delivery by one poll interval and loses nothing.
 */
export const postgresNotifications = (pool: pg.Pool): PostgresNotifications => {
  const listeners = new Map<string, Set<() => void>>();
  let client: pg.PoolClient | null = null;
  let connecting: Promise<pg.PoolClient> | null = null;
  let closed = false;

  const connect = (): Promise<pg.PoolClient> => {
    connecting ??= (async () => {
      const fresh = await pool.connect();
      fresh.on('notification', (message) => {
        for (const listener of listeners.get(message.channel) ?? []) listener();
      });
      fresh.on('error', () => {
        // Already handed back (on close, or replaced): releasing twice would throw. The listener
        // stays attached so the error is not an unhandled 'error' event either.
        if (client !== fresh) return;
        client = null;
        fresh.release(true);
        connecting = null;
        if (!closed && listeners.size > 0) setTimeout(() => void listenAll(), RECONNECT_DELAY_MS).unref();
      });
      client = fresh;
      return fresh;
    })().catch((error: unknown) => {
      connecting = null;
      throw error;
    });
    return connecting;
  };

  const listen = async (channel: string) => {
    const connection = await connect();
    if (!closed) await connection.query(`LISTEN ${quoteIdentifier(channel)}`);
  };

  const listenAll = async () => {
    for (const channel of listeners.keys()) await listen(channel).catch(() => undefined);
  };

  return {
    on(channel, listener) {
      let set = listeners.get(channel);
      if (!set) {
        set = new Set();
        listeners.set(channel, set);
        // A failed LISTEN only costs latency: the subscriber's slow poll still finds the data.
        void listen(channel).catch(() => undefined);
      }
      set.add(listener);
      return () => {
        set.delete(listener);
      };
    },
    async close() {
      closed = true;
      listeners.clear();
      const pending = connecting;
      connecting = null;
      const connection = client ?? (await pending?.catch(() => null));
      client = null;
      connection?.release(true);
    },
  };
};
