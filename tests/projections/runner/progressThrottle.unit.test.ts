import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { formatProgress } from '../../../src/cli/progressBar.js';
import { progressThrottle } from '../../../src/projections/runner/progressThrottle.js';

describe('the progress throttle', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('publishes at once, then folds the requests of the next second into one at its end', async () => {
    const runs: number[] = [];
    const throttle = progressThrottle(1_000, async () => {
      runs.push(Date.now());
    });
    const start = Date.now();
    throttle.request();
    await vi.advanceTimersByTimeAsync(0);
    for (let i = 0; i < 5; i++) {
      throttle.request();
      await vi.advanceTimersByTimeAsync(100);
    }
    await vi.advanceTimersByTimeAsync(1_000);
    expect(runs.map((time) => time - start)).toEqual([0, 1_000]);
    await throttle.cancel();
    throttle.request();
    await vi.advanceTimersByTimeAsync(2_000);
    expect(runs).toHaveLength(2);
  });
});

describe('the CLI progress bar', () => {
  it('shows done of total, the rate and the time left', () => {
    expect(
      formatProgress({
        label: 'pipelines g2',
        done: 5_200,
        total: 10_000,
        perSecond: 1_234.4,
        etaSeconds: 75,
      }),
    ).toBe('pipelines g2 [████████████░░░░░░░░░░░░]   52%  5,200/10,000  1,234/s  ETA 1m15s');
  });
});
