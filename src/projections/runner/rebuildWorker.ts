import { applyBatch } from './applyBatch.js';
import { PoisonEventError, type RunnerContext } from './runnerContext.js';
import type { Generation } from './swapGeneration.js';

export interface RebuildTarget extends Generation {
  /** The rebuild's checkpoint: it resumes from here after a takeover or a restart. */
  position: number;
  done: number;
}

export interface RebuildHooks {
  head(): number;
  /** Swaps the target in once it has caught up (or does nothing when the leader is stopping). */
  swap(target: RebuildTarget): Promise<void>;
  /** Once, when the worker ends by itself: null after a swap, else why it gave up. */
  onEnd(error: unknown): void;
}

export interface RebuildWorker {
  readonly target: RebuildTarget;
  stop(): Promise<void>;
}

const RATE_WINDOW_MS = 10_000;

/**
 * Replays the global log from the target's checkpoint into the new generation, one batch per
 * transaction, while the live runner keeps the current generation up to date. A read that
 * comes back short means it has reached the head: it asks for the swap.
 */
export const startRebuildWorker = (
  context: RunnerContext,
  start: RebuildTarget,
  hooks: RebuildHooks,
): RebuildWorker => {
  const target = { ...start };
  const rate = rateMeter(target.done);
  let stopped = false;

  const loop = async () => {
    while (!stopped) {
      const events = await context.eventStore.readAll({
        after: target.position,
        maxCount: context.batchSize,
      });
      if (stopped) return;
      const last = events.at(-1);
      if (last) {
        const progress = {
          done: target.done,
          head: Math.max(hooks.head(), last.position),
          rate: rate.perSecond,
        };
        const result = await applyBatch(context, { kind: 'rebuild', ...target, progress }, events);
        target.position = result.position;
        target.done += result.applied;
        rate.sample(target.done);
        if (result.poison) throw new PoisonEventError(result.poison.event, result.poison.error);
      }
      if (events.length < context.batchSize) {
        await hooks.swap({ ...target });
        return;
      }
    }
  };
  const running = loop().then(
    () => hooks.onEnd(null),
    (error: unknown) => hooks.onEnd(error),
  );

  return {
    target,
    async stop() {
      stopped = true;
      await running;
    },
  };
};

/** Events per second over the last ten seconds or so. */
const rateMeter = (done: number) => {
  const samples: { at: number; done: number }[] = [{ at: Date.now(), done }];
  return {
    sample(now: number) {
      samples.push({ at: Date.now(), done: now });
      while (samples.length > 2 && Date.now() - samples[1]!.at > RATE_WINDOW_MS) samples.shift();
    },
    /** The rate if `now` events were done at this instant. */
    perSecond(now: number) {
      const first = samples[0]!;
      const seconds = (Date.now() - first.at) / 1000;
      return seconds > 0 ? (now - first.done) / seconds : 0;
    },
  };
};
