/**
 * Runs `publish` at most once per `intervalMs`: a request inside the interval is deferred to
 * its end (the latest state then goes out), and requests meanwhile fold into that one.
 */
export const progressThrottle = (intervalMs: number, publish: () => Promise<void>) => {
  let last = 0;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> = Promise.resolve();
  const run = () => {
    timer = null;
    last = Date.now();
    running = publish().catch(() => undefined);
  };
  return {
    request() {
      if (timer) return;
      const wait = last + intervalMs - Date.now();
      if (wait <= 0) run();
      else timer = setTimeout(run, wait);
    },
    /** Drops a deferred publication and waits for one under way. */
    async cancel() {
      if (timer) clearTimeout(timer);
      timer = null;
      await running;
    },
  };
};
