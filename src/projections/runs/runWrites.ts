import type pg from 'pg';
import { assertNever } from '../../domain/decider.js';
import type { RunEvent } from '../../domain/runs/run.js';
import type { RecordedEvent } from '../../infra/eventstore/eventStore.js';
import { RUN_COLUMNS, type RunRow } from './runRow.js';

const RETURNING = `RETURNING ${RUN_COLUMNS}`;

/**
 * Writes one run event to `runs`; returns the run's row when the event changed it. Guarded by
 * position like every read model: a redelivered event changes nothing and returns nothing.
 */
export const writeRunEvent = async (
  client: pg.ClientBase,
  event: RecordedEvent & RunEvent,
): Promise<RunRow | undefined> => {
  switch (event.type) {
    case 'RunRequested': {
      const { runId, pipelineId, version, kind, requestedAt, startFrom } = event.data;
      const { rows } = await client.query<RunRow>(
        `INSERT INTO runs (id, pipeline_id, version, kind, status, requested_at, start_from, updated_at, last_position)
         VALUES ($1, $2, $3, $4, 'requested', $5, $6, $5, $7)
         ON CONFLICT (id) DO NOTHING ${RETURNING}`,
        [
          runId,
          pipelineId,
          version,
          kind,
          requestedAt,
          startFrom ? JSON.stringify(startFrom) : null,
          event.position,
        ],
      );
      return rows[0];
    }
    case 'RunStarted':
      return updateRun(client, event, event.data.startedAt, "status = 'running', started_at = $3");
    case 'RunProgressRecorded': {
      const { counts, inFlight, lag, checkpoint, recordedAt } = event.data;
      return updateRun(
        client,
        event,
        recordedAt,
        `count_in = $4, count_out = $5, count_filtered = $6, count_failed = $7, count_dlq = $8,
         in_flight = $9, lag = $10, checkpoint = $11, progress_recorded_at = $3`,
        [
          counts.in,
          counts.out,
          counts.filtered,
          counts.failed,
          counts.dlq,
          inFlight,
          lag,
          JSON.stringify(checkpoint),
        ],
      );
    }
    case 'RunCompleted':
      return updateRun(client, event, event.data.completedAt, "status = 'completed', finished_at = $3");
    case 'RunFailed':
      return updateRun(
        client,
        event,
        event.data.failedAt,
        "status = 'failed', finished_at = $3, failure_reason = $4",
        [event.data.reason],
      );
    case 'RunCancelled':
      return updateRun(client, event, event.data.cancelledAt, "status = 'cancelled', finished_at = $3");
    default:
      return assertNever(event);
  }
};

/** `set` may use $3 (the event's time) and $4 onwards (`values`). */
const updateRun = async (
  client: pg.ClientBase,
  event: RecordedEvent & RunEvent,
  at: string,
  set: string,
  values: unknown[] = [],
) => {
  const { rows } = await client.query<RunRow>(
    `UPDATE runs SET ${set}, updated_at = $3, last_position = $2
     WHERE id = $1 AND last_position < $2 ${RETURNING}`,
    [event.data.runId, event.position, at, ...values],
  );
  return rows[0];
};
