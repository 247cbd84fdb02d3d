import type { RunCounts, RunKind, RunStatus } from '../../domain/runs/run.js';
import type { RunRow } from './runRow.js';

/** A run as clients see it, plain JSON so it crosses Redis pub/sub unchanged. */
export interface RunView {
  id: string;
  pipelineId: string;
  version: number;
  kind: RunKind;
  status: RunStatus;
  requestedAt: string;
  /** Where a batch run starts: one of the two is set; null for the earliest record. */
  startFrom: { timestamp: string | null; offset: number | null } | null;
  startedAt: string | null;
  finishedAt: string | null;
  /** From start to finish; null until the run has both. */
  durationMs: number | null;
  counts: RunCounts;
  inFlight: number;
  lag: number | null;
  checkpoint: { partition: string; position: string }[];
  progressRecordedAt: string | null;
  failureReason: string | null;
  updatedAt: string;
  position: string;
}

export const toRunView = (row: RunRow): RunView => ({
  id: row.id,
  pipelineId: row.pipeline_id,
  version: row.version,
  kind: row.kind,
  status: row.status,
  requestedAt: row.requested_at.toISOString(),
  startFrom: row.start_from && {
    timestamp: 'timestamp' in row.start_from ? row.start_from.timestamp : null,
    offset: 'offset' in row.start_from ? row.start_from.offset : null,
  },
  startedAt: row.started_at?.toISOString() ?? null,
  finishedAt: row.finished_at?.toISOString() ?? null,
  durationMs: row.started_at && row.finished_at ? row.finished_at.getTime() - row.started_at.getTime() : null,
  counts: {
    in: row.count_in,
    out: row.count_out,
    filtered: row.count_filtered,
    failed: row.count_failed,
    dlq: row.count_dlq,
  },
  inFlight: row.in_flight,
  lag: row.lag,
  checkpoint: Object.entries(row.checkpoint)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([partition, position]) => ({ partition, position })),
  progressRecordedAt: row.progress_recorded_at?.toISOString() ?? null,
  failureReason: row.failure_reason,
  updatedAt: row.updated_at.toISOString(),
  position: String(row.last_position),
});
