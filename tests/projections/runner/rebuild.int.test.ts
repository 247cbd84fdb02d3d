import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECTION_PROGRESS } from '../../../src/projections/runner/projectionLeader.js';
import {
  readProjectionStatus,
  requestRebuild,
} from '../../../src/projections/runner/projectionStatusQueries.js';
import type { ProjectionStatusView } from '../../../src/projections/runner/projectionStatusView.js';
import { waitFor } from '../../setup/waitFor.js';
import { type RunnerTestBed, runnerTestBed, tallyProjection } from './runnerTestBed.js';

const snapshot = (bed: RunnerTestBed) =>
  bed.rows<{ id: string; count: number; last_position: number }>(
    'SELECT id, count, last_position FROM tally_counts ORDER BY id',
  );

const schemaExists = async (bed: RunnerTestBed, name: string) =>
  (await bed.rows('SELECT 1 FROM pg_namespace WHERE nspname = $1', [name])).length > 0;

describe('rebuilding a projection', () => {
  let bed: RunnerTestBed;
  beforeAll(async () => {
    bed = await runnerTestBed();
  });
  afterAll(() => bed.tearDown());

  it('fills a new generation while the current one serves, then swaps the tables in one go', async () => {
    // Given a projection caught up with 1200 events, slowed down so the rebuild takes a while
    const head = await bed.countMany(1_200, 6);
    await bed.start(tallyProjection('tally', { delayMs: 10 }), { batchSize: 40 });
    await waitFor(async () => (await bed.status('tally'))?.position === head, 30_000);
    const before = await snapshot(bed);

    // And a reader querying the view all along
    let reading = true;
    const seen = { reads: 0, errors: [] as string[], sums: [] as number[] };
    const reader = (async () => {
      while (reading) {
        try {
          const [row] = await bed.rows<{ sum: number; ids: number }>(
            'SELECT coalesce(sum(count), 0)::int AS sum, count(*)::int AS ids FROM tally_counts',
          );
          seen.reads++;
          seen.sums.push(row!.sum);
        } catch (error) {
          seen.errors.push((error as Error).message);
        }
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();

    // When a rebuild is requested, and events keep arriving meanwhile
    const requested = await requestRebuild(bed.pool, 'tally');
    expect(requested.rebuild).toMatchObject({ generation: null, done: 0 });
    const progress: ProjectionStatusView[] = [];
    await waitFor(async () => {
      const status = await readProjectionStatus(bed.pool, 'tally');
      if (status.rebuild?.generation) progress.push(status);
      return status.rebuild?.done && status.rebuild.done > 300 ? status : null;
    }, 20_000);
    const live = await bed.count(['during-1', 'during-2', 'during-3']);

    // Then it swaps: generation 2 is current, caught up, and generation 1 is gone
    const swapped = await waitFor(async () => {
      const status = await readProjectionStatus(bed.pool, 'tally');
      return status.generation === 2 && status.position === String(live) ? status : null;
    }, 30_000);
    reading = false;
    await reader;
    expect(swapped).toMatchObject({ status: 'running', rebuild: null, error: null });
    expect(swapped.lastRebuiltAt).not.toBeNull();
    expect(await schemaExists(bed, `${bed.schema}__tally_g1`)).toBe(false);
    expect(await schemaExists(bed, `${bed.schema}__tally_g2`)).toBe(true);

    // And the reader never failed, never saw a partial table, and counts only went up
    expect(seen.errors).toEqual([]);
    expect(seen.reads).toBeGreaterThan(10);
    expect(Math.min(...seen.sums)).toBe(1_200);
    expect(seen.sums).toEqual([...seen.sums].sort((a, b) => a - b));

    // And the rebuilt read model is the one the live runner had built, plus the live events
    const after = await snapshot(bed);
    expect(after.filter((row) => !row.id.startsWith('during'))).toEqual(before);
    expect(after.filter((row) => row.id.startsWith('during')).map((row) => row.count)).toEqual([1, 1, 1]);
    const [log] = await bed.rows<{ total: number }>('SELECT count(*)::int AS total FROM tally_log');
    expect(log?.total).toBe(1_203);

    // And progress was visible: done of total, a rate and an ETA, published at most every 200 ms
    const middle = progress.find((status) => status.rebuild!.done > 0 && status.rebuild!.done < 1_200);
    expect(middle?.status).toBe('rebuilding');
    expect(middle?.rebuild).toMatchObject({ generation: 2, total: expect.any(Number) });
    expect(middle!.rebuild!.total).toBeGreaterThanOrEqual(1_200);
    expect(middle!.rebuild!.eventsPerSecond).toBeGreaterThan(0);
    expect(middle!.rebuild!.etaSeconds).toBeGreaterThanOrEqual(0);
    const messages = () => bed.published.filter((message) => message.topic === PROJECTION_PROGRESS);
    const statuses = () => messages().map((message) => message.payload as ProjectionStatusView);
    expect(statuses().some((status) => status.status === 'rebuilding')).toBe(true);
    await waitFor(async () => statuses().at(-1)?.generation === 2);
    expect(statuses().at(-1)).toMatchObject({ name: 'tally', generation: 2, rebuild: null });
    const all = messages();
    const gaps = all.slice(1).map((message, index) => message.at - all[index]!.at);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(190);
  });

  it('refuses a second rebuild while one is under way', async () => {
    await requestRebuild(bed.pool, 'tally');
    await expect(requestRebuild(bed.pool, 'tally')).rejects.toMatchObject({
      code: 'PROJECTION_REBUILD_IN_PROGRESS',
    });
    await waitFor(async () => (await readProjectionStatus(bed.pool, 'tally')).generation === 3, 30_000);
  });
});
