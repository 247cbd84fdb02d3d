import { describe, expect, it } from 'vitest';
import { createAvroCodec } from '../../../src/infra/avro/avroCodec.js';
import type { EventMetadata } from '../../../src/infra/eventstore/eventStore.js';
import type { ConsumedRecord } from '../../../src/infra/log/log.js';
import {
  asRecordedEvent,
  decodeRelayedEvent,
  EVENT_ENVELOPE_TYPE,
  EVENTS_TOPIC,
  encodeRelayedEvent,
} from '../../../src/processors/relay/relayedEvent.js';

const event = {
  id: '4f1c2b9e-8a4d-4c55-9c1e-2f0d3c6a7b81',
  streamId: 'pipeline-p-1',
  revision: 3,
  position: 42,
  type: 'PipelinePaused',
  data: { pipelineId: 'p-1', pausedAt: '2026-03-01T09:00:00.000Z', nested: { list: [1, 'two', null] } },
  metadata: { actor: 'u-1', correlationId: 'c-1', schemaVersion: 1 },
  recordedAt: new Date('2026-03-01T09:00:00.123Z'),
};

const consumed = (record: ReturnType<typeof encodeRelayedEvent>): ConsumedRecord => ({
  topic: EVENTS_TOPIC,
  partition: 0,
  offset: 0,
  key: record.key,
  value: record.value,
  headers: record.headers ?? {},
  timestamp: 0,
});

describe('the record of a relayed event', () => {
  it('is keyed by stream, with the type, id and position in headers', () => {
    const record = encodeRelayedEvent(event);
    expect(record.key?.toString()).toBe('pipeline-p-1');
    expect(record.headers).toEqual({
      'tributary-event-type': 'PipelinePaused',
      'tributary-event-id': event.id,
      'tributary-position': '42',
    });
  });

  it('holds a tributary.EventEnvelope in Avro single-object encoding, data as JSON text', () => {
    const { value } = encodeRelayedEvent(event);
    const codec = createAvroCodec();
    expect(value.subarray(0, 2)).toEqual(Buffer.from([0xc3, 0x01]));
    expect(value.subarray(2, 10)).toEqual(codec.fingerprint(EVENT_ENVELOPE_TYPE));
    expect(codec.decode(EVENT_ENVELOPE_TYPE, value)).toEqual({
      id: event.id,
      streamId: 'pipeline-p-1',
      type: 'PipelinePaused',
      streamRevision: 3,
      globalPosition: 42,
      recordedAt: event.recordedAt.getTime(),
      data: JSON.stringify(event.data),
      metadata: {
        actor: 'u-1',
        correlationId: 'c-1',
        causationId: null,
        commandId: null,
        occurredAt: null,
        schemaVersion: 1,
      },
    });
  });

  it('decodes to the envelope with data parsed and only the metadata present', () => {
    const relayed = decodeRelayedEvent(consumed(encodeRelayedEvent(event)));
    expect(relayed).toEqual({
      id: event.id,
      streamId: 'pipeline-p-1',
      type: 'PipelinePaused',
      streamRevision: 3,
      globalPosition: 42,
      recordedAt: event.recordedAt.getTime(),
      data: event.data,
      metadata: { actor: 'u-1', correlationId: 'c-1', schemaVersion: 1 },
    });
    expect(asRecordedEvent(relayed)).toEqual(event);
  });

  it('drops metadata the envelope does not declare, and writes absent data as null', () => {
    const odd = {
      ...event,
      data: undefined,
      metadata: { actor: 'u-2', tenant: 't-1' } as EventMetadata,
    };
    const relayed = decodeRelayedEvent(consumed(encodeRelayedEvent(odd)));
    expect(relayed.metadata).toEqual({ actor: 'u-2' });
    expect(relayed.data).toBeNull();
  });

  it('refuses a record that is not an envelope, naming the problem', () => {
    expect(() => decodeRelayedEvent({ value: Buffer.from('{"id":1}') })).toThrow(/single-object/);
  });
});
