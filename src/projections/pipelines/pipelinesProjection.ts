import type pg from 'pg';
import { assertNever } from '../../domain/decider.js';
import type { PipelineEvent } from '../../domain/pipelines/pipeline.js';
import type { RecordedEvent } from '../../infra/eventstore/eventStore.js';
import type { LiveUpdate, Projection } from '../projection.js';
import { PIPELINE_COLUMNS, type PipelineRow } from './pipelineRow.js';
import { toPipelineView } from './pipelineView.js';

export const PIPELINE_CHANGED = 'pipelineChanged';

const PIPELINE_EVENT_TYPES = new Set<string>(['PipelineCreated', 'PipelineActivated', 'PipelinePaused']);

// The events this read model follows so far; the pipeline has more (versions, archive).
type ProjectedEvent = Extract<
  PipelineEvent,
  { type: 'PipelineCreated' | 'PipelineActivated' | 'PipelinePaused' }
>;

const isPipelineEvent = (event: RecordedEvent): event is RecordedEvent & ProjectedEvent =>
  PIPELINE_EVENT_TYPES.has(event.type);

/**
 * The `pipelines` read model: one row per pipeline with its current definition and status.
 * Every write is guarded by `last_position < position`, so an event delivered twice changes
 * nothing the second time.
 */
export const pipelinesProjection: Projection = {
  name: 'pipelines',
  tables: ['pipelines'],
  migrations: [
    {
      id: 'pipelines-001-table',
      sql: `CREATE TABLE pipelines (
              id text PRIMARY KEY,
              name text NOT NULL,
              status text NOT NULL,
              version int NOT NULL,
              definition jsonb NOT NULL,
              created_at timestamptz NOT NULL,
              updated_at timestamptz NOT NULL,
              last_position bigint NOT NULL
            );
            CREATE INDEX pipelines_created_at ON pipelines (created_at, id);`,
    },
  ],
  async apply(client, events) {
    const updates: LiveUpdate[] = [];
    for (const event of events) {
      if (!isPipelineEvent(event)) continue;
      const row = await applyEvent(client, event);
      if (row) {
        const payload = {
          event: event.type,
          position: String(event.position),
          pipeline: toPipelineView(row),
        };
        updates.push({ topic: PIPELINE_CHANGED, payload });
      }
    }
    return updates;
  },
};

const applyEvent = async (client: pg.ClientBase, event: RecordedEvent & ProjectedEvent) => {
  const returning = `RETURNING ${PIPELINE_COLUMNS}`;
  switch (event.type) {
    case 'PipelineCreated': {
      const { pipelineId, name, version, definition, createdAt } = event.data;
      const { rows } = await client.query<PipelineRow>(
        `INSERT INTO pipelines (id, name, status, version, definition, created_at, updated_at, last_position)
         VALUES ($1, $2, 'draft', $3, $4, $5, $5, $6)
         ON CONFLICT (id) DO NOTHING ${returning}`,
        [pipelineId, name, version, JSON.stringify(definition), createdAt, event.position],
      );
      return rows[0];
    }
    case 'PipelineActivated':
      return setStatus(client, event.data.pipelineId, 'active', event.data.activatedAt, event.position);
    case 'PipelinePaused':
      return setStatus(client, event.data.pipelineId, 'paused', event.data.pausedAt, event.position);
    default:
      return assertNever(event);
  }
};

const setStatus = async (client: pg.ClientBase, id: string, status: string, at: string, position: number) => {
  const { rows } = await client.query<PipelineRow>(
    `UPDATE pipelines SET status = $2, updated_at = $3, last_position = $4
     WHERE id = $1 AND last_position < $4 RETURNING ${PIPELINE_COLUMNS}`,
    [id, status, at, position],
  );
  return rows[0];
};
