import { interruptibleSleep } from '../timing/interruptibleSleep.js';

export interface PollingSubscriptionOptions<Item> {
  after: number;
  read(after: number): Promise<Item[]>;
  positionOf(item: Item): number;
  onItems(items: Item[]): Promise<void>;
  onError?(error: unknown): void;
  /** Registers a wake-up hint (e.g. LISTEN/NOTIFY); returns the function that removes it. */
  listen(wake: () => void): () => void;
  /** Longest wait without a hint before reading again. */
  idlePollMs?: number;
}

/**
 * Catch-up then live delivery over a readable, position-ordered source. Reads run back to
 * back while there is data; when there is none, the loop sleeps until a hint or the idle
 * poll. A hint that arrives during a read is remembered, so it is never slept through.
 */
export const subscribeByPolling = <Item>(options: PollingSubscriptionOptions<Item>) => {
  const idlePollMs = options.idlePollMs ?? 1_000;
  let checkpoint = options.after;
  let stopped = false;
  let hinted = false;
  const idle = interruptibleSleep();
  const unlisten = options.listen(() => {
    hinted = true;
    idle.wake();
  });

  const sleep = () => idle.sleep(idlePollMs);

  const loop = async () => {
    while (!stopped) {
      hinted = false;
      const items = await options.read(checkpoint);
      if (stopped) return;
      const last = items.at(-1);
      if (last !== undefined) {
        await options.onItems(items);
        checkpoint = options.positionOf(last);
      } else if (!hinted) {
        await sleep();
      }
    }
  };

  const running = loop().catch((error: unknown) => {
    stopped = true;
    options.onError?.(error);
  });

  return {
    async stop() {
      stopped = true;
      idle.wake();
      await running;
      unlisten();
    },
  };
};
