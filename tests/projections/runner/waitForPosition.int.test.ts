import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitForPosition } from '../../../src/projections/runner/waitForPosition.js';
import { type RunnerTestBed, runnerTestBed, tallyProjection } from './runnerTestBed.js';

describe('waitForPosition', () => {
  let bed: RunnerTestBed;
  beforeAll(async () => {
    bed = await runnerTestBed();
    await bed.start(tallyProjection('tally', { delayMs: 100 }));
    await bed.start(tallyProjection('other'));
  });
  afterAll(() => bed.tearDown());

  it('resolves once every projection has committed the position, so a read right after sees the write', async () => {
    const position = await bed.count(['written']);
    await waitForPosition(bed.pool, position, { timeoutMs: 5_000 });
    expect(await bed.rows('SELECT count FROM tally_counts WHERE id = $1', ['written'])).toEqual([
      { count: 1 },
    ]);
    expect(await bed.rows('SELECT count FROM other_counts WHERE id = $1', ['written'])).toEqual([
      { count: 1 },
    ]);
  });

  it('throws CONSISTENCY_TIMEOUT, naming who is behind, once the timeout has passed and no later', async () => {
    const head = await bed.count(['x']);
    const started = Date.now();
    const waiting = waitForPosition(bed.pool, head + 1_000, { projections: ['other'], timeoutMs: 300 });
    await expect(waiting).rejects.toMatchObject({
      code: 'CONSISTENCY_TIMEOUT',
      category: 'UNAVAILABLE',
      message: expect.stringMatching(
        /^The read models did not reach position \d+ within 300 ms: other at \d+$/,
      ),
    });
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(300);
    expect(elapsed).toBeLessThan(800);
  });

  it('rejects a projection name it does not know', async () => {
    await expect(
      waitForPosition(bed.pool, 1, { projections: ['nope'], timeoutMs: 100 }),
    ).rejects.toMatchObject({
      code: 'PROJECTION_NOT_FOUND',
    });
  });
});
