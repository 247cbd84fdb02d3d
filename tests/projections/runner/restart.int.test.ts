import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../../src/infra/postgres/migrate.js';
import { projectionRunnerMigrations } from '../../../src/projections/projectionMigrations.js';
import {
  readProjectionStatus,
  requestRebuild,
} from '../../../src/projections/runner/projectionStatusQueries.js';
import { waitFor } from '../../setup/waitFor.js';
import { type RunnerTestBed, runnerTestBed, tallyProjection } from './runnerTestBed.js';

const snapshot = (bed: RunnerTestBed) =>
  bed.rows<{ id: string; count: number; last_position: number }>(
    'SELECT id, count, last_position FROM tally_counts ORDER BY id',
  );

describe('a projection stopped and started again', () => {
  let bed: RunnerTestBed;
  beforeAll(async () => {
    bed = await runnerTestBed();
  });
  afterAll(() => bed.tearDown());

  it('continues from its checkpoint to the read model a rebuild from zero gives', async () => {
    // Given a runner stopped in the middle of 600 events
    const head = await bed.countMany(600, 6);
    const first = await bed.start(tallyProjection('tally', { delayMs: 20 }), { batchSize: 25 });
    await waitFor(async () => ((await bed.status('tally'))?.position ?? 0) >= 150);
    await first.stop();
    const stoppedAt = (await bed.status('tally'))!.position;
    expect(stoppedAt).toBeGreaterThan(0);
    expect(stoppedAt).toBeLessThan(head);
    expect((await bed.status('tally'))?.status).toBe('stopped');

    // When it starts again
    const second = await bed.start(tallyProjection('tally'), { batchSize: 25 });
    await waitFor(async () => (await bed.status('tally'))?.position === head);
    const resumed = await snapshot(bed);
    const [log] = await bed.rows<{ total: number; distinct: number }>(
      'SELECT count(*)::int AS total, count(DISTINCT position)::int AS distinct FROM tally_log',
    );
    expect(log).toEqual({ total: 600, distinct: 600 });

    // Then a rebuild from the first event gives exactly the same read model
    await requestRebuild(bed.pool, 'tally');
    await waitFor(async () => (await readProjectionStatus(bed.pool, 'tally')).generation === 2, 30_000);
    expect(await snapshot(bed)).toEqual(resumed);
    expect(second.position).toBe(head);
  });

  it("takes over an install from before generations: the main schema's tables become generation 1 with their checkpoint", async () => {
    // Given the walking skeleton's layout: the projection's tables in the main schema, its
    // migrations recorded there, and its checkpoint in projection_checkpoints
    const legacy = await runnerTestBed({ migrations: 'walkingSkeleton' });
    try {
      const projection = tallyProjection('tally');
      await migrate(legacy.pool, legacy.schema, projection.migrations);
      const head = await legacy.count(['a', 'b', 'a']);
      await legacy.pool.query(`INSERT INTO tally_counts VALUES ('a', 2, 3), ('b', 1, 2)`);
      await legacy.pool.query(`INSERT INTO tally_log VALUES (1, 'a'), (2, 'b'), (3, 'a')`);
      await legacy.pool.query('INSERT INTO projection_checkpoints (name, position) VALUES ($1, $2)', [
        'tally',
        head,
      ]);

      // When this version migrates and its runner starts
      await migrate(legacy.pool, legacy.schema, projectionRunnerMigrations);
      await legacy.start(projection);
      const later = await legacy.count(['b']);

      // Then the rows moved into generation 1 (not replayed: each event is in the log once),
      // behind views, and the runner went on from the old checkpoint
      await waitFor(async () => (await legacy.status('tally'))?.position === later);
      expect(await legacy.status('tally')).toMatchObject({
        generation: 1,
        schema_name: `${legacy.schema}__tally_g1`,
      });
      expect(await legacy.rows('SELECT id, count FROM tally_counts ORDER BY id')).toEqual([
        { id: 'a', count: 2 },
        { id: 'b', count: 2 },
      ]);
      expect(await legacy.rows('SELECT position FROM tally_log ORDER BY position')).toEqual([
        { position: 1 },
        { position: 2 },
        { position: 3 },
        { position: 4 },
      ]);
      expect(
        await legacy.rows(
          `SELECT table_type FROM information_schema.tables WHERE table_schema = $1 AND table_name = 'tally_counts'`,
          [legacy.schema],
        ),
      ).toEqual([{ table_type: 'VIEW' }]);
      expect(await legacy.rows(`SELECT id FROM "${legacy.schema}__tally_g1".schema_migrations`)).toEqual([
        { id: 'tally-001' },
      ]);
    } finally {
      await legacy.tearDown();
    }
  });
});
