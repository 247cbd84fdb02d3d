import type { RunEvent } from '../../domain/runs/run.js';
import type { RecordedEvent } from '../../infra/eventstore/eventStore.js';
import type { LiveUpdate, Projection } from '../projection.js';
import { toRunView } from './runView.js';
import { writeRunEvent } from './runWrites.js';

export const RUN_UPDATED = 'runUpdated';

// A mapped type, so a run event added to the domain does not compile until it is listed.
const FOLLOWED: { [Type in RunEvent['type']]: true } = {
  RunRequested: true,
  RunStarted: true,
  RunProgressRecorded: true,
  RunCompleted: true,
  RunFailed: true,
  RunCancelled: true,
};
const RUN_EVENT_TYPES: ReadonlySet<string> = new Set(Object.keys(FOLLOWED));

const isRunEvent = (event: RecordedEvent): event is RecordedEvent & RunEvent =>
  RUN_EVENT_TYPES.has(event.type);

/**
 * The runs read model: one row per run with its status, times, latest counts, lag and
 * checkpoint, indexed for each pipeline's history, newest first. Each event that changes a run
 * is published on `runUpdated` once its row commits, as `{ event, position, run }`.
 */
export const runsProjection: Projection = {
  name: 'runs',
  tables: ['runs'],
  migrations: [
    {
      id: 'runs-001-table',
      sql: `CREATE TABLE runs (
              id text PRIMARY KEY,
              pipeline_id text NOT NULL,
              version int NOT NULL,
              kind text NOT NULL,
              status text NOT NULL,
              requested_at timestamptz NOT NULL,
              started_at timestamptz,
              finished_at timestamptz,
              count_in bigint NOT NULL DEFAULT 0,
              count_out bigint NOT NULL DEFAULT 0,
              count_filtered bigint NOT NULL DEFAULT 0,
              count_failed bigint NOT NULL DEFAULT 0,
              count_dlq bigint NOT NULL DEFAULT 0,
              in_flight bigint NOT NULL DEFAULT 0,
              lag bigint,
              checkpoint jsonb NOT NULL DEFAULT '{}',
              progress_recorded_at timestamptz,
              failure_reason text,
              updated_at timestamptz NOT NULL,
              last_position bigint NOT NULL
            );
            CREATE INDEX runs_pipeline_requested_at ON runs (pipeline_id, requested_at DESC, id DESC);
            CREATE INDEX runs_requested_at ON runs (requested_at DESC, id DESC);`,
    },
    {
      // Runs requested before batch runs could start elsewhere started from the earliest record: null.
      id: 'runs-002-start-from',
      sql: 'ALTER TABLE runs ADD COLUMN start_from jsonb;',
    },
  ],
  async apply(client, events) {
    const updates: LiveUpdate[] = [];
    for (const event of events) {
      if (!isRunEvent(event)) continue;
      const row = await writeRunEvent(client, event);
      if (!row) continue;
      updates.push({
        topic: RUN_UPDATED,
        payload: { event: event.type, position: String(event.position), run: toRunView(row) },
      });
    }
    return updates;
  },
};
