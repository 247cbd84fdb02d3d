import { type RunCommand, type RunState, runDecider, runStreamId } from '../domain/runs/run.js';
import type { EventStore } from '../infra/eventstore/eventStore.js';
import { handleCommand, type StreamSnapshot } from '../infra/eventstore/handleCommand.js';

/** Who the platform's processors are in event metadata and the audit log. */
export const PROCESSORS_ACTOR = 'system:processors';

/**
 * A run command sent by the processors. With a command id, sending it again (from another
 * process of the run, or after a restart) takes effect once. With a snapshot, only the run's
 * events since the last command are read.
 */
export const sendRunCommand = (
  eventStore: EventStore,
  runId: string,
  command: RunCommand,
  options: { commandId?: string; snapshot?: StreamSnapshot<RunState> } = {},
) =>
  handleCommand(
    eventStore,
    runDecider,
    runStreamId(runId),
    command,
    {
      actor: PROCESSORS_ACTOR,
      ...(options.commandId && { commandId: options.commandId }),
      occurredAt: new Date().toISOString(),
    },
    options.snapshot && { snapshot: options.snapshot },
  );
