import { type AvroCodec, createAvroCodec } from '../../infra/avro/avroCodec.js';
import type { EventMetadata, RecordedEvent } from '../../infra/eventstore/eventStore.js';
import type { ConsumedRecord, LogRecord } from '../../infra/log/log.js';

/** The topic every event of the store is relayed to. */
export const EVENTS_TOPIC = 'tributary.events';

/** The Avro type of a record's value on `tributary.events`. */
export const EVENT_ENVELOPE_TYPE = 'tributary.EventEnvelope';

/** Headers of every relayed record, so a consumer can route or skip one without decoding it. */
export const RELAY_HEADERS = {
  eventType: 'tributary-event-type',
  eventId: 'tributary-event-id',
  /** The global position, as decimal text. */
  position: 'tributary-position',
} as const;

/**
 * One event as a consumer of `tributary.events` reads it: the `tributary.EventEnvelope` with its
 * `data` parsed from JSON and `metadata` without its absent (null) fields. `data` is what the
 * store holds, redacted (see redactUserSecrets.ts) and not upcast: upcast by `metadata.schemaVersion`
 * as for any stored event (`asRecordedEvent` gives the shape `upcastEvent` takes).
 */
export interface RelayedEvent {
  id: string;
  streamId: string;
  type: string;
  streamRevision: number;
  globalPosition: number;
  /** Milliseconds since the Unix epoch, when the store committed the event. */
  recordedAt: number;
  data: unknown;
  metadata: EventMetadata;
}

const METADATA_FIELDS = [
  'actor',
  'correlationId',
  'causationId',
  'commandId',
  'occurredAt',
  'schemaVersion',
] as const satisfies readonly (keyof EventMetadata)[];

// Reading schemas/avro once per process, on first use: decoding consumers and the relay share it.
let sharedCodec: AvroCodec | undefined;
const codec = () => {
  sharedCodec ??= createAvroCodec();
  return sharedCodec;
};

/**
 * The log record of one stored event: keyed by its stream, so a stream's events share a
 * partition and stay in order; the value in Avro single-object encoding. The event must already
 * be redacted: this writes whatever `data` holds.
 */
export const encodeRelayedEvent = (event: RecordedEvent): LogRecord => ({
  key: Buffer.from(event.streamId, 'utf8'),
  value: codec().encode(EVENT_ENVELOPE_TYPE, {
    id: event.id,
    streamId: event.streamId,
    type: event.type,
    streamRevision: event.revision,
    globalPosition: event.position,
    recordedAt: event.recordedAt.getTime(),
    data: JSON.stringify(event.data ?? null),
    // Only the fields the envelope declares, each present (null when absent).
    metadata: Object.fromEntries(METADATA_FIELDS.map((field) => [field, event.metadata[field] ?? null])),
  }),
  headers: {
    [RELAY_HEADERS.eventType]: event.type,
    [RELAY_HEADERS.eventId]: event.id,
    [RELAY_HEADERS.position]: String(event.position),
  },
});

/**
 * The event in a record of `tributary.events`. Throws `AvroCodecError` when the value is not an
 * EventEnvelope this code or an older version of it wrote, and a SyntaxError when `data` is not JSON.
 */
export const decodeRelayedEvent = (record: Pick<ConsumedRecord, 'value'>): RelayedEvent => {
  const envelope = codec().decode(EVENT_ENVELOPE_TYPE, record.value) as Omit<RelayedEvent, 'data'> & {
    data: string;
    metadata: Record<string, unknown>;
  };
  const metadata = Object.fromEntries(
    Object.entries(envelope.metadata).filter(([, value]) => value !== null && value !== undefined),
  ) as EventMetadata;
  return { ...envelope, data: JSON.parse(envelope.data) as unknown, metadata };
};

/** The relayed event in the event store's shape, for code written against `RecordedEvent`. */
export const asRecordedEvent = (event: RelayedEvent): RecordedEvent => ({
  id: event.id,
  streamId: event.streamId,
  revision: event.streamRevision,
  position: event.globalPosition,
  type: event.type,
  data: event.data,
  metadata: event.metadata,
  recordedAt: new Date(event.recordedAt),
});
