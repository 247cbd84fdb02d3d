import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readProjectionStatus } from '../../../src/projections/runner/projectionStatusQueries.js';
import { waitFor } from '../../setup/waitFor.js';
import { type RunnerTestBed, runnerTestBed, tallyProjection } from './runnerTestBed.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Every Counted event committed exactly once: one log row per position, and the counts agree. */
const expectAppliedOnce = async (bed: RunnerTestBed, events: number) => {
  const [log] = await bed.rows<{ total: number; distinct: number }>(
    'SELECT count(*)::int AS total, count(DISTINCT position)::int AS distinct FROM tally_log',
  );
  expect(log).toEqual({ total: events, distinct: events });
  const [sum] = await bed.rows<{ sum: number }>('SELECT sum(count)::int AS sum FROM tally_counts');
  expect(sum?.sum).toBe(events);
};

describe('projection runners in several processes', () => {
  let bed: RunnerTestBed;
  beforeAll(async () => {
    bed = await runnerTestBed();
  });
  afterAll(() => bed.tearDown());

  it('let one lead; when its lock session dies, the standby takes over from the checkpoint and applies no event twice', async () => {
    // Given 600 events, and two runners of the same projection, slowed down to 20 events per 30 ms
    const head = await bed.countMany(600, 6);
    const slow = () => tallyProjection('tally', { delayMs: 30 });
    const first = await bed.start(slow(), { batchSize: 20 });
    await waitFor(async () => first.isLeader);
    const second = await bed.start(slow(), { batchSize: 20 });

    // Then only the first leads, and the status says so with the other standing by
    await sleep(300);
    expect([first.isLeader, second.isLeader]).toEqual([true, false]);
    const leading = await readProjectionStatus(bed.pool, 'tally');
    expect(leading).toMatchObject({ status: 'running', generation: 1 });
    expect(leading.leader).toMatch(/:\d+:[0-9a-f]{8}$/);

    // When the leader's lock session is killed mid-stream (as when its process or host dies)
    await waitFor(async () => ((await bed.status('tally'))?.position ?? 0) >= 100);
    const pid = await bed.leaderBackend('tally');
    await bed.pool.query('SELECT pg_terminate_backend($1)', [pid]);
    const killedAt = Date.now();
    expect((await bed.status('tally'))!.position).toBeLessThan(head);

    // Then the standby takes over within seconds and finishes from the checkpoint
    await waitFor(async () => second.isLeader, 5_000);
    expect(Date.now() - killedAt).toBeLessThan(3_000);
    expect(first.isLeader).toBe(false);
    await waitFor(async () => (await bed.status('tally'))?.position === head, 15_000);
    const taken = await readProjectionStatus(bed.pool, 'tally');
    expect(taken.status).toBe('running');
    expect(taken.leader).not.toBe(leading.leader);

    // And every event took effect exactly once
    await expectAppliedOnce(bed, 600);

    // When the new leader stops cleanly, the first (standing by again) takes over
    await second.stop();
    await waitFor(async () => first.isLeader, 5_000);
    const later = await bed.count(['after-stop']);
    await waitFor(async () => (await bed.status('tally'))?.position === later);
    await expectAppliedOnce(bed, 601);
  });

  it('shows a projection as stopped once its last runner has stopped', async () => {
    const name = 'lonely';
    const runner = await bed.start(tallyProjection(name));
    await waitFor(async () => runner.isLeader);
    expect((await readProjectionStatus(bed.pool, name)).status).toBe('running');
    await runner.stop();
    expect((await readProjectionStatus(bed.pool, name)).status).toBe('stopped');
  });
});
