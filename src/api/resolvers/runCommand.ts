import type { Decider } from '../../domain/decider.js';
import { handleCommand } from '../../infra/eventstore/handleCommand.js';
import type { ApiContext } from '../apiServices.js';

/**
 * Sends one command on behalf of the request: the actor, idempotency key and correlation id
 * of the request become the events' metadata. Returns the events and the position of the last
 * one as GraphQL's `Position` (null when the command changed nothing).
 */
export const runCommand = async <Command, Event extends { type: string; data: unknown }, State>(
  context: ApiContext,
  decider: Decider<Command, Event, State>,
  streamId: string,
  command: Command,
) => {
  const result = await handleCommand(context.services.eventStore, decider, streamId, command, {
    actor: context.actor,
    commandId: context.commandId,
    correlationId: context.correlationId,
    occurredAt: context.services.now().toISOString(),
  });
  return { events: result.events, position: result.position === null ? null : String(result.position) };
};
