import type pg from 'pg';
import type { EventToAppend, ExpectedRevision } from './eventStore.js';

/** One append as the appender receives it; event ids are already assigned. */
export interface PendingAppend {
  streamId: string;
  expectedRevision: ExpectedRevision;
  events: readonly (EventToAppend & { id: string })[];
}

/** The stream's new revision and the last event's position, or null when the expectation failed. */
export type AppendRow = { revision: number; position: number } | null;

const MAX_BATCH = 500;
// A deadlock can only arise when another process creates the same stream at the same moment;
// PostgreSQL aborts one side, whose statement is simply run again.
const DEADLOCK = '40P01';
const MAX_DEADLOCK_RETRIES = 5;

/**
 * Group commit for appends. While one call to `append_events` is in flight, appends that arrive
 * wait, then go together in the next call: one round trip and one WAL flush serve them all. A
 * lone writer never waits; its append goes out at once.
 *
 * A failing append (a duplicate event id, say) aborts the whole call, so the batch is then run
 * again one append at a time and only the faulty append fails.
 */
export const createPostgresAppender = (pool: pg.Pool, channel: string) => {
  let queue: { append: PendingAppend; resolve(row: AppendRow): void; reject(error: unknown): void }[] = [];
  let flushing = false;

  const call = async (appends: PendingAppend[], attempt = 1): Promise<AppendRow[]> => {
    const payload = appends.map((append) => ({
      stream: append.streamId,
      expected: String(append.expectedRevision),
      events: append.events.map((event) => ({
        id: event.id,
        type: event.type,
        data: event.data,
        metadata: event.metadata ?? {},
      })),
    }));
    try {
      const { rows } = await pool.query<{
        out_ord: number;
        out_revision: number | null;
        out_position: number | null;
      }>({
        // Named, so each connection parses and plans it once.
        name: 'tributary_append_events',
        text: 'SELECT out_ord, out_revision, out_position FROM append_events($1::jsonb, $2)',
        values: [JSON.stringify(payload), channel],
      });
      const results: AppendRow[] = appends.map(() => null);
      for (const row of rows) {
        if (row.out_revision !== null && row.out_position !== null) {
          results[row.out_ord - 1] = { revision: row.out_revision, position: row.out_position };
        }
      }
      return results;
    } catch (error) {
      if ((error as { code?: string }).code === DEADLOCK && attempt < MAX_DEADLOCK_RETRIES) {
        return call(appends, attempt + 1);
      }
      throw error;
    }
  };

  const flush = async () => {
    flushing = true;
    while (queue.length > 0) {
      const batch = queue.slice(0, MAX_BATCH);
      queue = queue.slice(MAX_BATCH);
      try {
        const rows = await call(batch.map((entry) => entry.append));
        for (const [index, entry] of batch.entries()) entry.resolve(rows[index] ?? null);
      } catch (error) {
        if (batch.length === 1) {
          batch[0]?.reject(error);
          continue;
        }
        for (const entry of batch) {
          await call([entry.append]).then((rows) => entry.resolve(rows[0] ?? null), entry.reject);
        }
      }
    }
    flushing = false;
  };

  return {
    append(append: PendingAppend): Promise<AppendRow> {
      return new Promise<AppendRow>((resolve, reject) => {
        queue.push({ append, resolve, reject });
        if (!flushing) void flush();
      });
    },
  };
};
