import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunEvent } from '../../../src/domain/runs/run.js';
import { listRuns, listRunsOfPipelines } from '../../../src/projections/runs/runQueries.js';
import { runsProjection } from '../../../src/projections/runs/runsProjection.js';
import { projectionTestBed } from '../projectionTestBed.js';

const bed = projectionTestBed(runsProjection);
const T = (minute: number) => new Date(Date.UTC(2026, 0, 1, 0, minute)).toISOString();

// p-1 has runs a..e requested at minutes 1..5 (c and d at the same minute), p-2 has one, p-3 none.
beforeAll(async () => {
  await bed.setUp();
  const request = (runId: string, pipelineId: string, minute: number): RunEvent => ({
    type: 'RunRequested',
    data: { runId, pipelineId, version: 1, kind: 'batch', requestedAt: T(minute) },
  });
  await bed.deliver([
    ...bed.record('run-a', [request('a', 'p-1', 1)]),
    ...bed.record('run-b', [request('b', 'p-1', 2)]),
    ...bed.record('run-c', [request('c', 'p-1', 3)]),
    ...bed.record('run-d', [request('d', 'p-1', 3)]),
    ...bed.record('run-e', [request('e', 'p-1', 5)]),
    ...bed.record('run-x', [request('x', 'p-2', 4)]),
    ...bed.record('run-e', [{ type: 'RunStarted', data: { runId: 'e', startedAt: T(6) } }]),
  ]);
});
afterAll(bed.tearDown);

const ids = (rows: readonly { id: string }[]) => rows.map((row) => row.id);

describe('run queries', () => {
  it('pages through runs newest first, ties broken by id, with the total', async () => {
    const first = await listRuns(bed.pool, { pipelineId: 'p-1' }, { after: null, limit: 3 });
    expect(ids(first.rows)).toEqual(['e', 'd', 'c']);
    expect(first.totalCount).toBe(5);
    const next = await listRuns(bed.pool, { pipelineId: 'p-1' }, { after: [T(3), 'd'], limit: 3 });
    expect(ids(next.rows)).toEqual(['c', 'b', 'a']);
  });

  it('filters runs by status across pipelines', async () => {
    const running = await listRuns(bed.pool, { status: 'running' }, { after: null, limit: 10 });
    expect(ids(running.rows)).toEqual(['e']);
    expect(running.totalCount).toBe(1);
  });

  it('reads a page of runs for many pipelines in one query, each with its own cursor, bound and total', async () => {
    const pages = await listRunsOfPipelines(bed.pool, [
      { pipelineId: 'p-1', limit: 2, after: null, until: null },
      { pipelineId: 'p-3', limit: 2, after: null, until: null },
      { pipelineId: 'p-2', limit: 2, after: null, until: null },
      { pipelineId: 'p-1', limit: 2, after: [T(3), 'c'], until: null },
      { pipelineId: 'p-1', limit: 10, after: null, until: T(2) },
    ]);
    expect(pages.map((page) => ({ ids: ids(page.rows), total: page.totalCount }))).toEqual([
      { ids: ['e', 'd'], total: 5 },
      { ids: [], total: 0 },
      { ids: ['x'], total: 1 },
      { ids: ['b', 'a'], total: 5 },
      { ids: ['b', 'a'], total: 2 },
    ]);
  });
});
