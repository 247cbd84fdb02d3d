import type { Decider } from '../../domain/decider.js';
import { deterministicId } from './deterministicId.js';
import {
  type EventMetadata,
  type EventStore,
  type EventToAppend,
  type RecordedEvent,
  WrongExpectedRevisionError,
} from './eventStore.js';
import { upcastEvent } from './upcast.js';

/** Who sends a command and why; it becomes the metadata of every event the command writes. */
export interface CommandContext {
  actor: string;
  /** Makes the command idempotent: sent again with the same id, it takes effect once. */
  commandId?: string;
  /** Follows one user action across commands, events and processors. */
  correlationId?: string;
  /** The id of the event or command that caused this one. */
  causationId?: string;
  /** When the command was sent, as an ISO string. */
  occurredAt: string;
}

export interface CommandResult<Event> {
  events: Event[];
  /** Global position of the last event written; null when the command changed nothing. */
  position: number | null;
  /** True when the command id had already been handled and this is that first result. */
  duplicate: boolean;
}

/** Bumped when the metadata or envelope shape changes, so readers can tell old events apart. */
export const EVENT_SCHEMA_VERSION = 1;

/**
 * The one way a command reaches the store: load the stream, fold it, decide, append with the
 * revision that was read. A concurrent writer makes the append fail; the command is then
 * decided again on the fresh state, a bounded number of times, before the conflict surfaces.
 * A rejected command throws from `decide`, so it writes no event.
 *
 * Idempotency: a command with an id writes events whose ids derive from it, and records the id
 * in their metadata. Before deciding, the stream's history is searched for that id; if found,
 * the first result is returned and nothing is written. Two copies racing each other collide on
 * the expected revision; the loser re-reads and finds the winner's events.
 */
/**
 * What a long-lived writer of one stream has folded so far, so each command reads only the
 * events after `revision` instead of the whole stream (a run's progress events grow all day).
 * `handleCommand` updates it in place. With one, a command id is looked for only among the
 * events read since.
 */
export interface StreamSnapshot<State> {
  state: State;
  /** The revision of the last event folded into `state`; null before the first read. */
  revision: number | null;
}

export const handleCommand = async <Command, Event extends { type: string; data: unknown }, State>(
  eventStore: EventStore,
  decider: Decider<Command, Event, State>,
  streamId: string,
  command: Command,
  context: CommandContext,
  options: { maxAttempts?: number; snapshot?: StreamSnapshot<State> } = {},
): Promise<CommandResult<Event>> => {
  const maxAttempts = options.maxAttempts ?? 3;
  const snapshot = options.snapshot ?? { state: decider.initialState, revision: null };
  const fold = (state: State, events: readonly unknown[]) =>
    events.reduce<State>((folded, event) => decider.evolve(folded, event as Event), state);
  for (let attempt = 1; ; attempt++) {
    const after = snapshot.revision;
    const history = (
      await eventStore.readStream(streamId, after === null ? {} : { fromRevision: after + 1 })
    ).map(upcastEvent);
    snapshot.state = fold(after === null ? decider.initialState : snapshot.state, history);
    snapshot.revision = history.at(-1)?.revision ?? after;
    const earlier = context.commandId ? firstResultOf(history, context.commandId) : null;
    if (earlier) return { ...earlier, events: earlier.events as unknown as Event[] };
    const events = decider.decide(command, snapshot.state);
    if (events.length === 0) return { events, position: null, duplicate: false };
    try {
      const result = await eventStore.append(streamId, toAppend(events, context), {
        expectedRevision: snapshot.revision ?? 'no_stream',
      });
      snapshot.state = fold(snapshot.state, events);
      snapshot.revision = result.nextExpectedRevision;
      return { events, position: result.position, duplicate: false };
    } catch (error) {
      if (!(error instanceof WrongExpectedRevisionError) || attempt >= maxAttempts) throw error;
    }
  }
};

const toAppend = (events: { type: string; data: unknown }[], context: CommandContext): EventToAppend[] => {
  const metadata: EventMetadata = {
    actor: context.actor,
    occurredAt: context.occurredAt,
    schemaVersion: EVENT_SCHEMA_VERSION,
    ...(context.commandId && { commandId: context.commandId }),
    ...(context.correlationId && { correlationId: context.correlationId }),
    ...(context.causationId && { causationId: context.causationId }),
  };
  return events.map((event, index) => ({
    ...(context.commandId && { id: deterministicId(`event:${context.commandId}:${index}`) }),
    type: event.type,
    data: event.data,
    metadata,
  }));
};

const firstResultOf = (history: readonly RecordedEvent[], commandId: string) => {
  const events = history.filter((event) => event.metadata.commandId === commandId);
  const last = events.at(-1);
  return last ? { events, position: last.position, duplicate: true } : null;
};
