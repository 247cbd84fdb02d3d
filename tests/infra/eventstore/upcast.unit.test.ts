import { describe, expect, it } from 'vitest';
import { domainEventTypes } from '../../../src/domain/domainEventTypes.js';
import { type PipelineEvent, pipelineDecider } from '../../../src/domain/pipelines/pipeline.js';
import { validatePipelineDefinition } from '../../../src/domain/pipelines/pipelineDefinition.js';
import type { RecordedEvent } from '../../../src/infra/eventstore/eventStore.js';
import { EVENT_SCHEMA_VERSION } from '../../../src/infra/eventstore/handleCommand.js';
import {
  createUpcastEvent,
  currentSchemaVersion,
  type Upcaster,
  upcastEvent,
  upcasters,
} from '../../../src/infra/eventstore/upcast.js';

const recorded = (type: string, data: unknown, schemaVersion?: number): RecordedEvent => ({
  id: '0b6f3c3e-4c1e-4d8e-9d7a-2f1c7b0e9a11',
  streamId: 'order-1',
  revision: 0,
  position: 1,
  type,
  data,
  metadata: { actor: 'u-1', ...(schemaVersion !== undefined && { schemaVersion }) },
  recordedAt: new Date('2026-01-01T00:00:00.000Z'),
});

// A made-up event whose shape changed twice, to exercise the chain: v1 kept the amount as text,
// v2 made it a number, v3 added the currency, which every order before it was in.
const amountAsNumber: Upcaster = (data) => {
  const { amount, ...rest } = data as { amount: string };
  return { ...rest, amount: Number(amount) };
};
const currencyAdded: Upcaster = (data) => ({ ...(data as object), currency: 'EUR' });
const upcastOrder = createUpcastEvent({ OrderPlaced: [amountAsNumber, currencyAdded] });

describe('upcastEvent', () => {
  it('given an event written before versioning, then it counts as version 1 and goes through every upcaster', () => {
    const old = recorded('OrderPlaced', { orderId: 'o-1', amount: '12.50' });

    expect(upcastOrder(old)).toEqual({
      ...old,
      data: { orderId: 'o-1', amount: 12.5, currency: 'EUR' },
      metadata: { actor: 'u-1', schemaVersion: 3 },
    });
  });

  it('given an event of version 2, then only the upcasters from 2 on apply', () => {
    const v2 = recorded('OrderPlaced', { orderId: 'o-1', amount: 12.5 }, 2);

    expect(upcastOrder(v2).data).toEqual({ orderId: 'o-1', amount: 12.5, currency: 'EUR' });
  });

  it('given an upcast event, when upcast again, then nothing changes', () => {
    const once = upcastOrder(recorded('OrderPlaced', { orderId: 'o-1', amount: '12.50' }, 1));

    expect(upcastOrder(once)).toBe(once);
  });

  it('given an event at the current version, a later one, or a type without upcasters, then it is returned as it is', () => {
    const current = recorded('OrderPlaced', { orderId: 'o-1', amount: 12.5, currency: 'EUR' }, 3);
    const newer = recorded('OrderPlaced', { orderId: 'o-1', amount: 12.5, currency: 'EUR', vat: 2 }, 4);
    const other = recorded('OrderShipped', { orderId: 'o-1' });

    expect(upcastOrder(current)).toBe(current);
    expect(upcastOrder(newer)).toBe(newer);
    expect(upcastOrder(other)).toBe(other);
  });

  it('given the metadata of the stored event, then each upcaster receives it', () => {
    const seen: unknown[] = [];
    const upcast = createUpcastEvent({
      OrderPlaced: [
        (data, metadata) => {
          seen.push(metadata.actor);
          return data;
        },
      ],
    });

    upcast(recorded('OrderPlaced', {}));

    expect(seen).toEqual(['u-1']);
  });
});

describe("the platform's upcasters", () => {
  it('given a PipelineCreated stored by the first pipeline decider (topic source, map steps, no version), then it needs no upcaster and folds to a valid pipeline', () => {
    const stored = recorded('PipelineCreated', {
      pipelineId: 'p-1',
      name: 'Orders',
      version: 1,
      definition: {
        source: { topic: 'orders.raw', format: 'json' },
        steps: [{ kind: 'map', rename: { cust: 'customerId' }, drop: ['internal'] }],
        sink: { topic: 'orders.clean' },
      },
      createdAt: '2026-01-01T00:00:00.000Z',
    });

    const event = upcastEvent(stored) as unknown as PipelineEvent;
    const state = pipelineDecider.evolve(pipelineDecider.initialState, event);

    expect(event).toBe(stored);
    expect(state.status).toBe('draft');
    expect(state.status !== 'none' && validatePipelineDefinition(state.definition)).toEqual([]);
  });

  it('given every event type, then its current schema version is the one handleCommand stamps, so new events are never upcast again', () => {
    // Registering an upcaster fails this until handleCommand writes currentSchemaVersion(type).
    const versions = Object.fromEntries(domainEventTypes.map((type) => [type, currentSchemaVersion(type)]));

    expect(versions).toEqual(
      Object.fromEntries(domainEventTypes.map((type) => [type, EVENT_SCHEMA_VERSION])),
    );
    expect(
      Object.keys(upcasters).filter((type) => !(domainEventTypes as readonly string[]).includes(type)),
    ).toEqual([]);
  });
});
