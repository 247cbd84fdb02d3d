import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { postgresNotifications } from '../postgres/postgresNotifications.js';
import {
  type AppendOptions,
  type AppendResult,
  type EventStore,
  type EventToAppend,
  type GlobalLogFilter,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  type SubscribeToAllOptions,
  WrongExpectedRevisionError,
} from './eventStore.js';
import { createPostgresAppender } from './postgresAppender.js';
import { subscribeByPolling } from './subscribeByPolling.js';

/**
 * Why positions never skip: appends go through `append_events` (postgresEventStoreMigrations),
 * which bumps the single `global_position` row and holds its lock until commit. The next
 * append blocks on that row until this commit is visible, so position n+1 is handed out only
 * after position n can be seen. Concurrent appends share one call (postgresAppender).
 */
interface EventRow {
  position: number;
  id: string;
  stream_id: string;
  revision: number;
  type: string;
  data: unknown;
  metadata: RecordedEvent['metadata'];
  recorded_at: Date;
}

const COLUMNS = 'position, id, stream_id, revision, type, data, metadata, recorded_at';

const toRecorded = (row: EventRow): RecordedEvent => ({
  id: row.id,
  streamId: row.stream_id,
  revision: row.revision,
  position: row.position,
  type: row.type,
  data: row.data,
  metadata: row.metadata,
  recordedAt: row.recorded_at,
});

export const eventsChannel = (schema: string) => `${schema}_events`;

/** The event store on PostgreSQL. Tables come from `postgresEventStoreMigrations`. */
export const createPostgresEventStore = (options: { pool: pg.Pool; schema: string }): EventStore => {
  const { pool } = options;
  const channel = eventsChannel(options.schema);
  const notifications = postgresNotifications(pool);
  const appender = createPostgresAppender(pool, channel);

  const append = async (
    streamId: string,
    events: readonly EventToAppend[],
    { expectedRevision = 'any' }: AppendOptions = {},
  ): Promise<AppendResult> => {
    if (events.length === 0) throw new Error('append needs at least one event');
    const withIds = events.map((event) => ({ ...event, id: event.id ?? randomUUID() }));
    const row = await appender.append({ streamId, expectedRevision, events: withIds });
    if (!row)
      throw new WrongExpectedRevisionError(streamId, expectedRevision, await currentRevision(streamId));
    return { nextExpectedRevision: row.revision, position: row.position };
  };

  const currentRevision = async (streamId: string): Promise<number | 'no_stream'> => {
    const { rows } = await pool.query<{ revision: number }>(
      'SELECT revision FROM streams WHERE stream_id = $1',
      [streamId],
    );
    return rows[0]?.revision ?? 'no_stream';
  };

  const readStream = async (streamId: string, opts: ReadStreamOptions = {}): Promise<RecordedEvent[]> => {
    const backwards = opts.direction === 'backwards';
    const from = opts.fromRevision ?? (backwards ? Number.MAX_SAFE_INTEGER : 0);
    // recorded_at keeps microseconds but reaches callers as a millisecond Date: compare at
    // that precision, so reading until an event's own recordedAt includes it.
    const until = opts.until ? `AND date_trunc('milliseconds', recorded_at) <= $4` : '';
    const { rows } = await pool.query<EventRow>(
      `SELECT ${COLUMNS} FROM events WHERE stream_id = $1 AND revision ${backwards ? '<=' : '>='} $2 ${until}
       ORDER BY revision ${backwards ? 'DESC' : 'ASC'} LIMIT $3`,
      [streamId, from, opts.maxCount ?? null, ...(opts.until ? [opts.until] : [])],
    );
    return rows.map(toRecorded);
  };

  const readAll = async ({ after = 0, maxCount = 1000, filter }: ReadAllOptions = {}) => {
    const { clause, params } = filterClause(filter, 3);
    const { rows } = await pool.query<EventRow>(
      `SELECT ${COLUMNS} FROM events WHERE position > $1 ${clause} ORDER BY position LIMIT $2`,
      [after, maxCount, ...params],
    );
    return rows.map(toRecorded);
  };

  const subscribeToAll = (subscription: SubscribeToAllOptions) =>
    subscribeByPolling<RecordedEvent>({
      after: subscription.after ?? 0,
      read: (after) =>
        readAll({ after, maxCount: subscription.batchSize ?? 500, filter: subscription.filter }),
      positionOf: (event) => event.position,
      onItems: subscription.onEvents,
      onError: subscription.onError,
      listen: (wake) => notifications.on(channel, wake),
    });

  const headPosition = async () => {
    const { rows } = await pool.query<{ value: number }>('SELECT value FROM global_position');
    return rows[0]?.value ?? 0;
  };

  return {
    append,
    readStream,
    readAll,
    subscribeToAll,
    headPosition,
    close: () => notifications.close(),
  };
};

const filterClause = (filter: GlobalLogFilter | undefined, firstParam: number) => {
  const clauses: string[] = [];
  const params: unknown[] = [];
  if (filter?.streamPrefixes?.length) {
    params.push(filter.streamPrefixes.map((prefix) => `${prefix.replace(/[\\%_]/g, '\\$&')}%`));
    clauses.push(`AND stream_id LIKE ANY ($${firstParam + params.length - 1}::text[])`);
  }
  if (filter?.eventTypes?.length) {
    params.push(filter.eventTypes);
    clauses.push(`AND type = ANY ($${firstParam + params.length - 1}::text[])`);
  }
  return { clause: clauses.join(' '), params };
};
