/**
 * A sleep that another part of the program can cut short: loops that poll slowly use it to
 * wait for their next round, and a hint (a notification, a stop request) wakes them at once.
 */
export const interruptibleSleep = () => {
  let wake: (() => void) | null = null;
  return {
    sleep(ms: number): Promise<void> {
      return new Promise<void>((resolve) => {
        const timer = setTimeout(done, ms);
        function done() {
          clearTimeout(timer);
          wake = null;
          resolve();
        }
        wake = done;
      });
    },
    /** Ends the sleep in progress, if any; a later sleep is not affected. */
    wake(): void {
      wake?.();
    },
  };
};
