import type { Decider } from '../../domain/decider.js';
import { type EventMetadata, type EventStore, WrongExpectedRevisionError } from './eventStore.js';

export interface CommandResult<Event> {
  events: Event[];
  /** Global position of the last event written; null when the command changed nothing. */
  position: number | null;
}

/**
 * The one way a command reaches the store: load the stream, fold it, decide, append with the
 * revision that was read. A concurrent writer makes the append fail; the command is then
 * decided again on the fresh state, a bounded number of times, before the conflict surfaces.
 * A rejected command throws from `decide`, so it writes no event.
 */
export const handleCommand = async <Command, Event extends { type: string; data: unknown }, State>(
  eventStore: EventStore,
  decider: Decider<Command, Event, State>,
  streamId: string,
  command: Command,
  options: { metadata?: EventMetadata; maxAttempts?: number } = {},
): Promise<CommandResult<Event>> => {
  const maxAttempts = options.maxAttempts ?? 3;
  for (let attempt = 1; ; attempt++) {
    const history = await eventStore.readStream(streamId);
    const state = history.reduce(
      (folded, recorded) => decider.evolve(folded, recorded as unknown as Event),
      decider.initialState,
    );
    const events = decider.decide(command, state);
    if (events.length === 0) return { events, position: null };
    try {
      const result = await eventStore.append(
        streamId,
        events.map((event) => ({ type: event.type, data: event.data, metadata: options.metadata ?? {} })),
        { expectedRevision: history.at(-1)?.revision ?? 'no_stream' },
      );
      return { events, position: result.position };
    } catch (error) {
      if (!(error instanceof WrongExpectedRevisionError) || attempt >= maxAttempts) throw error;
    }
  }
};
