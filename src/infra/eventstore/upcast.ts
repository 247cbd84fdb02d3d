import type { DomainEventType } from '../../domain/domainEventTypes.js';
import type { EventMetadata, RecordedEvent } from './eventStore.js';

/**
 * Takes the data of one event from one schema version to the next. Stored events are never
 * rewritten: an old event is brought to the current shape each time it is read, by these.
 */
export type Upcaster = (data: unknown, metadata: EventMetadata) => unknown;

/** By event type, the upcasters in order: the first takes version 1 to 2, the second 2 to 3, ... */
export type UpcasterRegistry = Readonly<Partial<Record<string, readonly Upcaster[]>>>;

/**
 * The platform's upcasters. None so far, on purpose: every shape change has only added event
 * types or optional fields, or widened a union, so stored data already is current data. (When
 * sources and sinks could first name a connector, `PipelineCreated`'s `{ topic, format }` source
 * became one branch of a union; a v1 event is a valid current one, and its Avro schema resolves
 * to the current one without help.) An upcaster is for a change old data does not satisfy: a
 * renamed, split or retyped field.
 *
 * Registering one also changes what writers must stamp: `handleCommand` writes one
 * `EVENT_SCHEMA_VERSION` (1) on every event, and must then write `currentSchemaVersion(type)`
 * instead, or new events would be upcast again. A test fails until both agree.
 */
export const upcasters: { readonly [Type in DomainEventType]?: readonly Upcaster[] } = {};

/** The version of `type`'s data that writers write now: one more than its upcasters. */
export const currentSchemaVersion = (type: string, registry: UpcasterRegistry = upcasters): number =>
  (registry[type]?.length ?? 0) + 1;

/**
 * An `upcastEvent` over `registry`. An event's version is its `metadata.schemaVersion`; events
 * written before versioning have none and count as 1. An event at the current version, or at a
 * later one (written by newer code during a rolling deploy, and compatible by the rule above),
 * is returned as it is, the same object. An upcast event carries the current version, so
 * upcasting it again changes nothing.
 */
export const createUpcastEvent =
  (registry: UpcasterRegistry) =>
  <Event extends RecordedEvent>(recorded: Event): Event => {
    const steps = registry[recorded.type];
    const from = Math.max(1, recorded.metadata.schemaVersion ?? 1);
    if (steps === undefined || from > steps.length) return recorded;
    const data = steps
      .slice(from - 1)
      .reduce((upcast, step) => step(upcast, recorded.metadata), recorded.data);
    return { ...recorded, data, metadata: { ...recorded.metadata, schemaVersion: steps.length + 1 } };
  };

/**
 * An event as it was stored, brought to the current shape of its type. Apply it wherever stored
 * events are read for their data: the fold before deciding, projections, processors, and the CLI's
 * time travel and audit.
 */
export const upcastEvent = createUpcastEvent(upcasters);
