import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunEvent } from '../../../src/domain/runs/run.js';
import type { RecordedEvent } from '../../../src/infra/eventstore/eventStore.js';
import { RUN_COLUMNS } from '../../../src/projections/runs/runRow.js';
import { runsProjection } from '../../../src/projections/runs/runsProjection.js';
import { toRunView } from '../../../src/projections/runs/runView.js';
import { projectionTestBed } from '../projectionTestBed.js';

const bed = projectionTestBed(runsProjection);
beforeAll(bed.setUp);
afterAll(bed.tearDown);

const T = (minute: number) => new Date(Date.UTC(2026, 0, 1, 0, minute)).toISOString();
const at = (minute: number) => new Date(T(minute));

const history = (runId: string, events: RunEvent[]) => bed.record(`run-${runId}`, events);
const requested = (runId: string, minute = 0, pipelineId = 'p-1'): RunEvent => ({
  type: 'RunRequested',
  data: { runId, pipelineId, version: 1, kind: 'batch', requestedAt: T(minute) },
});
const runRow = async (id: string) =>
  (await bed.pool.query(`SELECT ${RUN_COLUMNS} FROM runs WHERE id = $1`, [id])).rows[0];

const apply = async (events: readonly RecordedEvent[]) => {
  const client = await bed.pool.connect();
  try {
    return await runsProjection.apply(client, events);
  } finally {
    client.release();
  }
};

const fresh = {
  start_from: null,
  started_at: null,
  finished_at: null,
  count_in: 0,
  count_out: 0,
  count_filtered: 0,
  count_failed: 0,
  count_dlq: 0,
  in_flight: 0,
  lag: null,
  checkpoint: {},
  progress_recorded_at: null,
  failure_reason: null,
};

describe('runs read model', () => {
  it('follows a run from request to completion with its latest counts, the same when delivered twice', async () => {
    const events = history('r-1', [
      requested('r-1'),
      { type: 'RunStarted', data: { runId: 'r-1', startedAt: T(1) } },
      {
        type: 'RunProgressRecorded',
        data: {
          runId: 'r-1',
          counts: { in: 10, out: 6, filtered: 2, failed: 1, dlq: 1 },
          inFlight: 1,
          lag: 40,
          checkpoint: { 'orders/0': '17' },
          recordedAt: T(2),
        },
      },
      {
        type: 'RunProgressRecorded',
        data: {
          runId: 'r-1',
          counts: { in: 3_000_000_000, out: 2_999_999_997, filtered: 2, failed: 1, dlq: 1 },
          inFlight: 0,
          lag: 0,
          checkpoint: { 'orders/0': '90', 'orders/1': '5' },
          recordedAt: T(3),
        },
      },
      { type: 'RunCompleted', data: { runId: 'r-1', completedAt: T(4) } },
    ]);
    await bed.deliverTwice(events);
    const row = await runRow('r-1');
    expect(row).toEqual({
      ...fresh,
      id: 'r-1',
      pipeline_id: 'p-1',
      version: 1,
      kind: 'batch',
      status: 'completed',
      requested_at: at(0),
      started_at: at(1),
      finished_at: at(4),
      count_in: 3_000_000_000,
      count_out: 2_999_999_997,
      count_filtered: 2,
      count_failed: 1,
      count_dlq: 1,
      lag: 0,
      checkpoint: { 'orders/0': '90', 'orders/1': '5' },
      progress_recorded_at: at(3),
      updated_at: at(4),
      last_position: events.at(-1)?.position,
    });
    expect(toRunView(row)).toMatchObject({
      durationMs: 3 * 60_000,
      checkpoint: [
        { partition: 'orders/0', position: '90' },
        { partition: 'orders/1', position: '5' },
      ],
    });
  });

  it('keeps the reason of a failed run, and no duration for a run cancelled before it started', async () => {
    const events = [
      ...history('r-2', [
        requested('r-2', 10),
        { type: 'RunStarted', data: { runId: 'r-2', startedAt: T(11) } },
        { type: 'RunFailed', data: { runId: 'r-2', reason: 'sink refused the batch', failedAt: T(12) } },
      ]),
      ...history('r-3', [
        requested('r-3', 20),
        { type: 'RunCancelled', data: { runId: 'r-3', cancelledAt: T(21) } },
      ]),
    ];
    await bed.deliverTwice(events);
    expect(await runRow('r-2')).toMatchObject({
      status: 'failed',
      finished_at: at(12),
      failure_reason: 'sink refused the batch',
    });
    const cancelled = await runRow('r-3');
    expect(cancelled).toMatchObject({
      ...fresh,
      status: 'cancelled',
      finished_at: at(21),
      updated_at: at(21),
    });
    expect(toRunView(cancelled).durationMs).toBeNull();
  });

  it('publishes a runUpdated update per event that changed a run, and none for a redelivery', async () => {
    const events = [
      ...bed.record('pipeline-p-9', [
        {
          type: 'PipelinePaused',
          data: { pipelineId: 'p-9', pausedAt: T(30) },
        },
      ]),
      ...history('r-4', [
        requested('r-4', 30, 'p-9'),
        { type: 'RunStarted', data: { runId: 'r-4', startedAt: T(31) } },
      ]),
    ];
    const first = await apply(events);
    expect(first.map((update) => update.topic)).toEqual(['runUpdated', 'runUpdated']);
    expect(first[1]?.payload).toEqual({
      event: 'RunStarted',
      position: String(events[2]?.position),
      run: {
        id: 'r-4',
        pipelineId: 'p-9',
        version: 1,
        kind: 'batch',
        status: 'running',
        requestedAt: T(30),
        startFrom: null,
        startedAt: T(31),
        finishedAt: null,
        durationMs: null,
        counts: { in: 0, out: 0, filtered: 0, failed: 0, dlq: 0 },
        inFlight: 0,
        lag: null,
        checkpoint: [],
        progressRecordedAt: null,
        failureReason: null,
        updatedAt: T(31),
        position: String(events[2]?.position),
      },
    });
    expect(await apply(events)).toEqual([]);
  });

  it('keeps where a batch run starts, an instant or an offset, the same when delivered twice', async () => {
    const from = (runId: string, startFrom: { timestamp: string } | { offset: number }): RunEvent => ({
      type: 'RunRequested',
      data: { runId, pipelineId: 'p-1', version: 1, kind: 'batch', requestedAt: T(40), startFrom },
    });
    await bed.deliverTwice([
      ...history('r-5', [from('r-5', { timestamp: T(5) })]),
      ...history('r-6', [from('r-6', { offset: 3_000_000_000 })]),
    ]);
    expect(await runRow('r-5')).toMatchObject({ start_from: { timestamp: T(5) } });
    expect(toRunView(await runRow('r-5')).startFrom).toEqual({ timestamp: T(5), offset: null });
    expect(toRunView(await runRow('r-6')).startFrom).toEqual({ timestamp: null, offset: 3_000_000_000 });
    expect(toRunView(await runRow('r-1')).startFrom).toBeNull();
  });
});
