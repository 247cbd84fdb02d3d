import { randomUUID } from 'node:crypto';
import {
  ANY,
  BACKWARDS,
  type RecordedEvent as DbRecordedEvent,
  END,
  EventStoreDBClient,
  eventTypeFilter,
  excludeSystemEvents,
  type Filter,
  FORWARDS,
  type JSONType,
  jsonEvent,
  NO_STREAM,
  type Position,
  START,
  STREAM_EXISTS,
  type StreamingRead,
  StreamNotFoundError,
  streamNameFilter,
  WrongExpectedVersionError,
} from '@eventstore/db-client';
import {
  type AppendOptions,
  type AppendResult,
  type EventMetadata,
  type EventStore,
  type EventSubscription,
  type EventToAppend,
  type ExpectedRevision,
  type GlobalLogFilter,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  type SubscribeToAllOptions,
  WrongExpectedRevisionError,
} from './eventStore.js';

export interface EventStoreDbEventStoreOptions {
  /** `esdb://host:2113?tls=false`, `esdb+discover://...`: EventStoreDB's own format. */
  connectionString: string;
  /**
   * Prefixed to every stream name, and the global log shows only streams that carry it: what
   * a schema is to `postgresEventStore`. Lets several stores (tests, tenants) share a server.
   */
  namespace?: string;
}

/**
 * The event store on EventStoreDB (`@eventstore/db-client`, gRPC).
 *
 * Positions: each event's position in `$all` is `{ commit, prepare }`, byte offsets into the
 * log. An append writes one self-committed record per event, so for every event written by
 * an append both halves are equal, distinct, and increase in log order: the commit half
 * alone is the port's position (a safe integer until the log passes 8 PiB). It has gaps, so
 * this adapter runs the contract without `contiguousPositions`. Events of old explicit
 * transactions (commit != prepare) are outside what this adapter reads correctly.
 *
 * System events (`$`-prefixed types or streams: stream metadata, statistics, projections'
 * links) are never part of the global log here.
 */
export const createEventStoreDbEventStore = (options: EventStoreDbEventStoreOptions): EventStore => {
  const client = EventStoreDBClient.connectionString(options.connectionString);
  const namespace = options.namespace ?? '';

  const toRecorded = (event: DbRecordedEvent | undefined): RecordedEvent | undefined => {
    if (!event?.streamId.startsWith(namespace)) return undefined;
    if (event.type.startsWith('$') || event.streamId.startsWith('$')) return undefined;
    if (!event.position) throw new Error('EventStoreDB gave an event no position: it must be 22.6 or later');
    return {
      id: event.id,
      streamId: event.streamId.slice(namespace.length),
      revision: Number(event.revision),
      position: positionNumber(event.position),
      type: event.type,
      data: event.data,
      metadata: isRecord(event.metadata) ? (event.metadata as EventMetadata) : {},
      recordedAt: event.created,
    };
  };

  const append = async (
    streamId: string,
    events: readonly EventToAppend[],
    { expectedRevision = 'any' }: AppendOptions = {},
  ): Promise<AppendResult> => {
    if (events.length === 0) throw new Error('append needs at least one event');
    const name = namespace + streamId;
    const result = await client
      .appendToStream(
        name,
        events.map((event) =>
          jsonEvent({
            id: event.id ?? randomUUID(),
            type: event.type,
            // The port takes any JSON value; the client's type allows objects, arrays and strings.
            data: event.data as JSONType,
            metadata: { ...event.metadata },
          }),
        ),
        { expectedRevision: toDbExpectedRevision(expectedRevision) },
      )
      .catch((error: unknown) => {
        if (!(error instanceof WrongExpectedVersionError)) throw error;
        const actual = error.actualVersion === NO_STREAM ? 'no_stream' : Number(error.actualVersion);
        throw new WrongExpectedRevisionError(streamId, expectedRevision, actual, { cause: error });
      });
    const nextExpectedRevision = Number(result.nextExpectedRevision);
    // The position in an append's reply is that of the write as a whole ("not technically
    // correct", says the server's source); the port wants the last event's own position, so
    // read that event back at its revision.
    const [last] = await collect(
      client.readStream(name, { fromRevision: result.nextExpectedRevision, maxCount: 1 }),
      1,
      (resolved) => toRecorded(resolved.event),
    );
    if (!last)
      throw new Error(`Stream ${streamId}: event ${nextExpectedRevision} is gone right after its append`);
    return { nextExpectedRevision, position: last.position };
  };

  const readStream = async (streamId: string, opts: ReadStreamOptions = {}): Promise<RecordedEvent[]> => {
    const backwards = opts.direction === 'backwards';
    const until = opts.until?.getTime();
    const limit = opts.maxCount ?? Number.MAX_SAFE_INTEGER;
    if (limit <= 0) return [];
    const read = client.readStream(namespace + streamId, {
      direction: backwards ? BACKWARDS : FORWARDS,
      fromRevision: opts.fromRevision === undefined ? (backwards ? END : START) : BigInt(opts.fromRevision),
      // With `until` the server cannot tell which events count, so the read runs until enough do.
      ...(until === undefined && opts.maxCount !== undefined ? { maxCount: opts.maxCount } : {}),
    });
    try {
      return await collect(read, limit, (resolved) => {
        const event = toRecorded(resolved.event);
        return event && (until === undefined || event.recordedAt.getTime() <= until) ? event : undefined;
      });
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      throw error;
    }
  };

  const readAll = async ({ after = 0, maxCount = 1000, filter }: ReadAllOptions = {}) => {
    if (maxCount <= 0) return [];
    const matches = matcher(filter);
    // Client 6.2 reads $all without a server-side filter, and a read from a position includes
    // the event at it: both are done here, so the read runs until `maxCount` events pass.
    const read = client.readAll({ fromPosition: fromPosition(after) });
    return collect(read, maxCount, (resolved) => {
      const event = toRecorded(resolved.event);
      return event && event.position > after && matches(event) ? event : undefined;
    });
  };

  const subscribeToAll = ({
    after = 0,
    filter,
    batchSize = 500,
    onEvents,
    onError,
  }: SubscribeToAllOptions): EventSubscription => {
    const matches = matcher(filter);
    const subscription = client.subscribeToAll({
      fromPosition: fromPosition(after),
      filter: serverFilter(filter, namespace),
    });
    let stopped = false;
    let checkpoint = after;
    let batch: RecordedEvent[] = [];
    const cancel = async () => {
      await subscription.unsubscribe().catch(() => undefined);
      subscription.destroy();
    };
    const take = (resolved: { event?: DbRecordedEvent }) => {
      const event = toRecorded(resolved.event);
      if (!event || event.position <= checkpoint || !matches(event)) return;
      batch.push(event);
      checkpoint = event.position;
    };

    // Catch-up, then live, in one server stream in log order. The next event is not pulled
    // while `onEvents` runs, so the stream's buffer fills and gRPC flow control holds the
    // server back. A batch is whatever has already arrived, up to `batchSize`.
    const run = async () => {
      for await (const resolved of subscription) {
        if (stopped) return;
        take(resolved);
        while (batch.length < batchSize && subscription.readableLength > 0) take(subscription.read());
        if (batch.length === 0) continue;
        const delivered = batch;
        batch = [];
        await onEvents(delivered);
      }
      if (!stopped) throw new Error('EventStoreDB ended the subscription to $all');
    };
    const running = run().catch((error: unknown) => {
      if (stopped) return;
      stopped = true;
      void cancel();
      onError?.(error);
    });

    return {
      async stop() {
        stopped = true;
        await cancel();
        await running;
      },
    };
  };

  const headPosition = async () => {
    const read = client.readAll({ direction: BACKWARDS, fromPosition: END });
    const [last] = await collect(read, 1, (resolved) => toRecorded(resolved.event));
    return last?.position ?? 0;
  };

  return { append, readStream, readAll, subscribeToAll, headPosition, close: () => client.dispose() };
};

/**
 * Up to `limit` items that `pick` keeps, in order. A read that stops early is cancelled on the
 * server: leaving the loop only unpipes the client's stream, the gRPC call would go on.
 */
const collect = async <Item>(
  read: StreamingRead<Item>,
  limit: number,
  pick: (item: Item) => RecordedEvent | undefined,
): Promise<RecordedEvent[]> => {
  const picked: RecordedEvent[] = [];
  for await (const item of read) {
    const event = pick(item);
    if (event) picked.push(event);
    if (picked.length >= limit) {
      await read.cancel();
      break;
    }
  }
  return picked;
};

/**
 * What a subscription's server-side filter can check: one thing, exact event types (as an
 * anchored regex) or stream name prefixes, else no system events. Everything the port's
 * filter asks is checked again on arrival.
 */
const serverFilter = (filter: GlobalLogFilter | undefined, namespace: string): Filter => {
  if (filter?.eventTypes?.length) {
    return eventTypeFilter({ regex: `^(?:${filter.eventTypes.map(escapeRegex).join('|')})$` });
  }
  const prefixes = filter?.streamPrefixes?.length ? filter.streamPrefixes : namespace ? [''] : [];
  if (prefixes.length > 0)
    return streamNameFilter({ prefixes: prefixes.map((prefix) => namespace + prefix) });
  return excludeSystemEvents();
};

const matcher = (filter: GlobalLogFilter | undefined) => (event: RecordedEvent) =>
  (!filter?.streamPrefixes?.length ||
    filter.streamPrefixes.some((prefix) => event.streamId.startsWith(prefix))) &&
  (!filter?.eventTypes?.length || filter.eventTypes.includes(event.type));

/** A read from `after` starts at that event (both halves of its position are equal, see above). */
const fromPosition = (after: number) =>
  after === 0 ? START : { commit: BigInt(after), prepare: BigInt(after) };

/** Past 2^53 is no byte offset but the server's -1: an event whose commit it does not know. */
const positionNumber = ({ commit }: Position) => {
  if (commit > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new Error(`EventStoreDB gave position ${commit}: not a self-committed event, outside this adapter`);
  }
  return Number(commit);
};

const toDbExpectedRevision = (expected: ExpectedRevision) => {
  switch (expected) {
    case 'any':
      return ANY;
    case 'no_stream':
      return NO_STREAM;
    case 'stream_exists':
      return STREAM_EXISTS;
    default:
      return BigInt(expected);
  }
};

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
