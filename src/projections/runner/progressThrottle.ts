/**
 * Runs `publish` at most once per `intervalMs`, counted from the end of one run to the start of
 * the next: a request inside the interval, or during a run, is deferred (the latest state then
 * goes out), and requests meanwhile fold into that one.
 */
export const progressThrottle = (intervalMs: number, publish: () => Promise<void>) => {
  let last = Number.NEGATIVE_INFINITY;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  let again = false;
  let cancelled = false;

  const run = () => {
    timer = null;
    running = publish()
      .catch(() => undefined)
      .finally(() => {
        last = Date.now();
        running = null;
        if (again && !cancelled) {
          again = false;
          request();
        }
      });
  };
  const request = () => {
    if (cancelled) return;
    if (running) {
      again = true;
      return;
    }
    if (timer) return;
    const wait = last + intervalMs - Date.now();
    if (wait <= 0) run();
    else timer = setTimeout(run, wait);
  };
  return {
    request,
    /** Drops a deferred run and waits for one under way; later requests do nothing. */
    async cancel() {
      cancelled = true;
      if (timer) clearTimeout(timer);
      timer = null;
      await running;
    },
  };
};
