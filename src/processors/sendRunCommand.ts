import { type RunCommand, runDecider, runStreamId } from '../domain/runs/run.js';
import type { EventStore } from '../infra/eventstore/eventStore.js';
import { handleCommand } from '../infra/eventstore/handleCommand.js';

/** Who the platform's processors are in event metadata and the audit log. */
export const PROCESSORS_ACTOR = 'system:processors';

/**
 * A run command sent by the processors. With a command id, sending it again (from another
 * process of the run, or after a restart) takes effect once.
 */
export const sendRunCommand = (
  eventStore: EventStore,
  runId: string,
  command: RunCommand,
  commandId?: string,
) =>
  handleCommand(eventStore, runDecider, runStreamId(runId), command, {
    actor: PROCESSORS_ACTOR,
    ...(commandId && { commandId }),
    occurredAt: new Date().toISOString(),
  });
