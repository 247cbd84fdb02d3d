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
import { subscribeByPolling } from './subscribeByPolling.js';

/**
 * Why positions never skip: each append is ONE statement (so one implicit transaction) that
 * (1) moves the stream's revision, holding that stream's row lock, then (2) bumps the single
 * `global_position` row, holding its lock until commit, then inserts the events. The next
 * append blocks on that row until this commit is visible, so position n+1 is handed out only
 * after position n can be seen. The global lock is held for the tail of one statement only.
 * Lock order is always stream row, then global row: no deadlock.
 */
const APPEND_SQL = (streamStep: string) => `
  WITH s AS (${streamStep}),
  g AS (
    UPDATE global_position SET value = value + $2
    WHERE EXISTS (SELECT 1 FROM s)
    RETURNING value
  ),
  inserted AS (
    INSERT INTO events (position, id, stream_id, revision, type, data, metadata)
    SELECT g.value - $2 + e.ord, e.id, $1, s.revision - $2 + e.ord, e.type, e.data, e.metadata
    FROM s, g, unnest($3::uuid[], $4::text[], $5::jsonb[], $6::jsonb[])
      WITH ORDINALITY AS e(id, type, data, metadata, ord)
    RETURNING 1
  )
  SELECT s.revision, g.value AS position, (SELECT count(*) FROM inserted) AS count,
         pg_notify($7, g.value::text)
  FROM s, g`;

const STREAM_STEPS = {
  any: `INSERT INTO streams (stream_id, revision) VALUES ($1, $2 - 1)
        ON CONFLICT (stream_id) DO UPDATE SET revision = streams.revision + $2 RETURNING revision`,
  no_stream: `INSERT INTO streams (stream_id, revision) VALUES ($1, $2 - 1)
              ON CONFLICT (stream_id) DO NOTHING RETURNING revision`,
  stream_exists: 'UPDATE streams SET revision = revision + $2 WHERE stream_id = $1 RETURNING revision',
  exact:
    'UPDATE streams SET revision = revision + $2 WHERE stream_id = $1 AND revision = $8 RETURNING revision',
} as const;

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

  const append = async (
    streamId: string,
    events: readonly EventToAppend[],
    { expectedRevision = 'any' }: AppendOptions = {},
  ): Promise<AppendResult> => {
    if (events.length === 0) throw new Error('append needs at least one event');
    const step = typeof expectedRevision === 'number' ? STREAM_STEPS.exact : STREAM_STEPS[expectedRevision];
    const params: unknown[] = [
      streamId,
      events.length,
      events.map((event) => event.id ?? randomUUID()),
      events.map((event) => event.type),
      events.map((event) => JSON.stringify(event.data)),
      events.map((event) => JSON.stringify(event.metadata ?? {})),
      channel,
    ];
    if (typeof expectedRevision === 'number') params.push(expectedRevision);
    const { rows } = await pool.query<{ revision: number; position: number }>(APPEND_SQL(step), params);
    const row = rows[0];
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
