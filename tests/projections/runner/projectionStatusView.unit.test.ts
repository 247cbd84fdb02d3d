import { describe, expect, it } from 'vitest';
import type { ProjectionStatusRow } from '../../../src/projections/runner/projectionStatusRow.js';
import { toProjectionStatusView } from '../../../src/projections/runner/projectionStatusView.js';

const at = new Date('2026-01-01T00:00:00.000Z');
const row = (overrides: Partial<ProjectionStatusRow> = {}): ProjectionStatusRow => ({
  name: 'pipelines',
  status: 'running',
  generation: 3,
  schema_name: 'tributary__pipelines_g3',
  position: 90,
  head: 100,
  leader: 'host:1:abcd1234',
  error_message: null,
  error_position: null,
  failed_at: null,
  resume_requested_at: null,
  rebuild_requested_at: null,
  rebuild_generation: null,
  rebuild_schema: null,
  rebuild_position: null,
  rebuild_done: null,
  rebuild_total: null,
  rebuild_rate: null,
  rebuild_started_at: null,
  last_rebuild_error: null,
  last_rebuild_error_position: null,
  last_rebuild_failed_at: null,
  last_rebuilt_at: null,
  updated_at: at,
  ...overrides,
});

describe('a projection status as clients see it', () => {
  it('shows what the leader wrote while a leader holds the lock, with the lag to the head', () => {
    expect(toProjectionStatusView({ ...row(), leader_alive: true, runners: 2 })).toEqual({
      name: 'pipelines',
      status: 'running',
      generation: 3,
      position: '90',
      head: '100',
      lag: '10',
      leader: 'host:1:abcd1234',
      error: null,
      rebuild: null,
      lastRebuildError: null,
      lastRebuiltAt: null,
      updatedAt: '2026-01-01T00:00:00.000Z',
    });
  });

  it('is standby when runners wait for a lock nobody holds, stopped when there are none, failed until retried', () => {
    const view = (status: ProjectionStatusRow['status'], runners: number) =>
      toProjectionStatusView({ ...row({ status }), leader_alive: false, runners });
    expect(view('running', 1)).toMatchObject({ status: 'standby', leader: null });
    expect(view('rebuilding', 0)).toMatchObject({ status: 'stopped', leader: null });
    expect(view('failed', 0).status).toBe('failed');
  });

  it('never shows a head behind the checkpoint (the head is only refreshed every tick)', () => {
    expect(
      toProjectionStatusView({ ...row({ position: 120 }), leader_alive: true, runners: 1 }),
    ).toMatchObject({
      head: '120',
      lag: '0',
    });
  });

  it('shows a rebuild with done of total, its rate and the seconds left at that rate', () => {
    const rebuilding = row({
      status: 'rebuilding',
      rebuild_requested_at: null,
      rebuild_generation: 4,
      rebuild_schema: 'tributary__pipelines_g4',
      rebuild_position: 40,
      rebuild_done: 40,
      rebuild_total: 100,
      rebuild_rate: 12.345,
      rebuild_started_at: at,
    });
    expect(toProjectionStatusView({ ...rebuilding, leader_alive: true, runners: 1 }).rebuild).toEqual({
      requestedAt: null,
      generation: 4,
      startedAt: '2026-01-01T00:00:00.000Z',
      position: '40',
      done: 40,
      total: 100,
      eventsPerSecond: 12.3,
      etaSeconds: 5,
    });
  });

  it('shows a requested rebuild before the leader picks it up, with no ETA yet', () => {
    const requested = row({ rebuild_requested_at: at });
    expect(toProjectionStatusView({ ...requested, leader_alive: false, runners: 0 }).rebuild).toEqual({
      requestedAt: '2026-01-01T00:00:00.000Z',
      generation: null,
      startedAt: null,
      position: null,
      done: 0,
      total: 100,
      eventsPerSecond: 0,
      etaSeconds: null,
    });
  });
});
