import { TributaryError } from '../../errors.js';

/**
 * The event store port: the source of truth of the whole platform.
 * Adapters: `postgresEventStore` and `eventStoreDbEventStore`; both pass
 * `tests/infra/eventstore/eventStoreContract.ts`.
 *
 * Contract:
 * - Streams hold events at revisions 0, 1, 2, ... with no gaps.
 * - An append is atomic: all its events or none. With an expected revision it fails with
 *   `WrongExpectedRevisionError` (code CONCURRENCY_CONFLICT) and writes nothing when the
 *   stream is not at that revision.
 * - Every event gets a global position: a positive safe integer, strictly increasing in the
 *   order appends commit. A reader of the global log never sees a position before a smaller
 *   one: subscribers can checkpoint by position and never skip an event that committed late.
 * - Positions are contiguous (1, 2, 3, ...) on PostgreSQL only. On EventStoreDB they are the
 *   log's commit positions, byte offsets with gaps. So compare positions and store them as
 *   checkpoints, but never count with them; `after` takes 0 or a position this store gave.
 */
export interface EventStore {
  append(streamId: string, events: readonly EventToAppend[], options?: AppendOptions): Promise<AppendResult>;
  readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;
  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]>;
  /** Catches up from `after`, then delivers live; batches arrive one at a time, in order. */
  subscribeToAll(options: SubscribeToAllOptions): EventSubscription;
  /** The position of the last committed event (0 when the store is empty). */
  headPosition(): Promise<number>;
  close(): Promise<void>;
}

export interface EventMetadata {
  actor?: string;
  correlationId?: string;
  causationId?: string;
  commandId?: string;
  occurredAt?: string;
  schemaVersion?: number;
}

export interface EventToAppend {
  /** A UUID; one is generated when absent. */
  id?: string;
  type: string;
  data: unknown;
  metadata?: EventMetadata;
}

export interface RecordedEvent<Type extends string = string, Data = unknown> {
  id: string;
  streamId: string;
  revision: number;
  position: number;
  type: Type;
  data: Data;
  metadata: EventMetadata;
  /** When the store wrote the event, by the store's clock. */
  recordedAt: Date;
}

/** The revision of the stream's last event, or a condition on the stream's existence. */
export type ExpectedRevision = 'any' | 'no_stream' | 'stream_exists' | number;

export interface AppendOptions {
  expectedRevision?: ExpectedRevision;
}

export interface AppendResult {
  /** Revision of the last event appended: the expected revision of the next append. */
  nextExpectedRevision: number;
  /** Global position of the last event appended. */
  position: number;
}

export interface ReadStreamOptions {
  fromRevision?: number;
  maxCount?: number;
  direction?: 'forwards' | 'backwards';
  /**
   * Only events recorded at or before this instant: the stream as it was then (time travel).
   * Compared at the millisecond precision of `recordedAt`, so an event's own `recordedAt`
   * includes it. `maxCount` counts the events that qualify.
   */
  until?: Date;
}

export interface GlobalLogFilter {
  streamPrefixes?: readonly string[];
  eventTypes?: readonly string[];
}

export interface ReadAllOptions {
  /** Read events with a position greater than this; 0 reads from the start. */
  after?: number;
  maxCount?: number;
  filter?: GlobalLogFilter;
}

export interface SubscribeToAllOptions {
  after?: number;
  filter?: GlobalLogFilter;
  batchSize?: number;
  /** The next batch is not delivered before this resolves. */
  onEvents(events: RecordedEvent[]): Promise<void>;
  /** Called once if reading or `onEvents` fails; the subscription is then stopped. */
  onError?(error: unknown): void;
}

export interface EventSubscription {
  stop(): Promise<void>;
}

export class WrongExpectedRevisionError extends TributaryError {
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedRevision,
    readonly actual: number | 'no_stream',
    options: { cause?: unknown } = {},
  ) {
    super('CONCURRENCY_CONFLICT', {
      message: `Stream ${streamId} is at revision ${actual}, the append expected ${expected}`,
      cause: options.cause,
    });
    this.name = 'WrongExpectedRevisionError';
  }
}
