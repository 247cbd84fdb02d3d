import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../setup/waitFor.js';
import { type RunnerTestBed, runnerTestBed, tallyProjection } from './runnerTestBed.js';

describe('a projection runner', () => {
  let bed: RunnerTestBed;
  beforeAll(async () => {
    bed = await runnerTestBed();
  });
  afterAll(() => bed.tearDown());

  it('catches up from its checkpoint in batches, then applies new events live behind views of its generation', async () => {
    // Given events written before the runner starts
    const before = await bed.countMany(230, 3);

    // When the runner starts, with batches of 50
    const runner = await bed.start(tallyProjection());

    // Then it catches up, each batch committed with the checkpoint
    await waitFor(async () => (await bed.status('tally'))?.position === before);
    expect(runner.isLeader).toBe(true);
    const counts = await bed.rows<{ id: string; count: number }>(
      'SELECT id, count FROM tally_counts ORDER BY id',
    );
    expect(counts).toEqual([
      { id: 's0', count: 100 },
      { id: 's1', count: 100 },
      { id: 's2', count: 30 },
    ]);

    // And the tables live in generation 1, queried through views of the same names
    const status = await bed.status('tally');
    expect(status).toMatchObject({
      generation: 1,
      schema_name: `${bed.schema}__tally_g1`,
      status: 'running',
    });
    const kinds = await bed.rows<{ table_name: string; table_type: string; table_schema: string }>(
      `SELECT table_schema, table_name, table_type FROM information_schema.tables
       WHERE table_name IN ('tally_counts', 'tally_log') ORDER BY table_schema, table_name`,
    );
    expect(kinds.filter((row) => row.table_schema.startsWith(bed.schema))).toEqual([
      { table_schema: bed.schema, table_name: 'tally_counts', table_type: 'VIEW' },
      { table_schema: bed.schema, table_name: 'tally_log', table_type: 'VIEW' },
      { table_schema: `${bed.schema}__tally_g1`, table_name: 'tally_counts', table_type: 'BASE TABLE' },
      { table_schema: `${bed.schema}__tally_g1`, table_name: 'tally_log', table_type: 'BASE TABLE' },
    ]);

    // When more events arrive
    const later = await bed.count(['live-1', 'live-2']);

    // Then they are applied live and published only after they commit
    await waitFor(async () => (await bed.status('tally'))?.position === later);
    expect(
      await bed.rows('SELECT id, count FROM tally_counts WHERE id LIKE $1 ORDER BY id', ['live-%']),
    ).toEqual([
      { id: 'live-1', count: 1 },
      { id: 'live-2', count: 1 },
    ]);
    expect(
      bed.published
        .filter((message) => message.topic === 'tallyChanged')
        .map(({ topic, payload }) => ({ topic, payload }))
        .slice(-2),
    ).toEqual([
      { topic: 'tallyChanged', payload: { id: 'live-1', position: later - 1 } },
      { topic: 'tallyChanged', payload: { id: 'live-2', position: later } },
    ]);
    const [log] = await bed.rows<{ total: number; distinct: number }>(
      'SELECT count(*)::int AS total, count(DISTINCT position)::int AS distinct FROM tally_log',
    );
    expect(log).toEqual({ total: 232, distinct: 232 });
  });
});
