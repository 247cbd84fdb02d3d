import type { RunKind, RunStartFrom, RunStatus } from '../../domain/runs/run.js';

/** A row of the `runs` read model. */
export interface RunRow {
  id: string;
  pipeline_id: string;
  version: number;
  kind: RunKind;
  status: RunStatus;
  requested_at: Date;
  /** Where a batch run starts; null for the earliest record. */
  start_from: RunStartFrom | null;
  started_at: Date | null;
  finished_at: Date | null;
  count_in: number;
  count_out: number;
  count_filtered: number;
  count_failed: number;
  count_dlq: number;
  in_flight: number;
  /** Null until the first progress report. */
  lag: number | null;
  checkpoint: Record<string, string>;
  progress_recorded_at: Date | null;
  failure_reason: string | null;
  updated_at: Date;
  last_position: number;
}

export const RUN_COLUMNS =
  'id, pipeline_id, version, kind, status, requested_at, start_from, started_at, finished_at, count_in, count_out, ' +
  'count_filtered, count_failed, count_dlq, in_flight, lag, checkpoint, progress_recorded_at, ' +
  'failure_reason, updated_at, last_position';
