import { applyBatch, type BatchResult } from './applyBatch.js';
import { PoisonEventError, type RunnerContext } from './runnerContext.js';
import type { Generation } from './swapGeneration.js';

export interface LiveProjection {
  /** Resolves once the batch in hand, if any, has committed or rolled back. */
  stop(): Promise<void>;
}

export interface LiveHooks {
  /** After each commit: the new checkpoint and the updates to publish (none before the commit). */
  onCommitted(result: BatchResult): void;
  /** Once, when it stops by itself: a PoisonEventError, a LeadershipLostError, or a read failure. */
  onEnd(error: unknown): void;
}

/**
 * Applies the global log to the current generation from its checkpoint: catch-up, then live,
 * one batch per transaction. Stops at a poison event, leaving the checkpoint just before it.
 */
export const startLiveProjection = (
  context: RunnerContext,
  from: Generation & { position: number },
  hooks: LiveHooks,
): LiveProjection => {
  let position = from.position;
  let stopping = false;
  const subscription = context.eventStore.subscribeToAll({
    after: position,
    batchSize: context.batchSize,
    onEvents: async (events) => {
      const result = await applyBatch(context, { kind: 'live', ...from, position }, events);
      position = result.position;
      hooks.onCommitted(result);
      if (result.poison) throw new PoisonEventError(result.poison.event, result.poison.error);
    },
    onError: (error) => {
      if (!stopping) hooks.onEnd(error);
    },
  });
  return {
    async stop() {
      stopping = true;
      await subscription.stop();
    },
  };
};
