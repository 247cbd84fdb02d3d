import type pg from 'pg';
import { assertNever } from '../../domain/decider.js';
import type { PipelineEvent } from '../../domain/pipelines/pipeline.js';
import type { RecordedEvent } from '../../infra/eventstore/eventStore.js';
import { pipelineEventTime } from './pipelineEventTime.js';
import { PIPELINE_COLUMNS, type PipelineRow } from './pipelineRow.js';

type Recorded = RecordedEvent & PipelineEvent;

const RETURNING = `RETURNING ${PIPELINE_COLUMNS}`;
const RETURNING_P = `RETURNING ${PIPELINE_COLUMNS.split(', ')
  .map((column) => `p.${column}`)
  .join(', ')}`;

/**
 * Writes one pipeline event to `pipelines` and `pipeline_versions`; returns the pipeline's row
 * when the event changed it. Every write is guarded by the event's position (a row only takes
 * an event later than its `last_position`; an insert of a row that exists does nothing), so an
 * event delivered twice changes nothing the second time and returns nothing.
 */
export const writePipelineEvent = async (
  client: pg.ClientBase,
  event: Recorded,
): Promise<PipelineRow | undefined> => {
  switch (event.type) {
    case 'PipelineCreated':
      return insertPipeline(client, event, { clonedFrom: null, templateId: null });
    case 'PipelineCloned':
      return insertPipeline(client, event, { clonedFrom: event.data.clonedFrom, templateId: null });
    case 'PipelineCreatedFromTemplate':
      return insertPipeline(client, event, { clonedFrom: null, templateId: event.data.templateId });
    case 'PipelineVersionSaved': {
      const { pipelineId, version, definition, savedAt } = event.data;
      await client.query(
        `INSERT INTO pipeline_versions (pipeline_id, version, definition, status, saved_at, last_position)
         VALUES ($1, $2, $3, 'draft', $4, $5) ON CONFLICT DO NOTHING`,
        [pipelineId, version, JSON.stringify(definition), savedAt, event.position],
      );
      return updatePipeline(client, event, 'latest_version = GREATEST(latest_version, $4)', [version]);
    }
    case 'PipelineVersionPublished':
      await client.query(
        `UPDATE pipeline_versions SET status = 'published', published_at = COALESCE(published_at, $3),
           last_position = $4
         WHERE pipeline_id = $1 AND version = $2 AND last_position < $4`,
        [event.data.pipelineId, event.data.version, event.data.publishedAt, event.position],
      );
      return publish(client, event, event.data.version);
    case 'PipelineRolledBack':
      return publish(client, event, event.data.toVersion);
    case 'PipelineActivated':
    case 'PipelineResumed':
      return updatePipeline(client, event, "status = 'active'");
    case 'PipelinePaused':
      return updatePipeline(client, event, "status = 'paused'");
    case 'PipelineArchived':
      return updatePipeline(client, event, "status = 'archived', archived_at = $3");
    default:
      return assertNever(event);
  }
};

const insertPipeline = async (
  client: pg.ClientBase,
  event: RecordedEvent & { data: Extract<PipelineEvent, { type: 'PipelineCreated' }>['data'] },
  origin: { clonedFrom: { pipelineId: string; version: number } | null; templateId: string | null },
) => {
  const { pipelineId, name, version, definition, createdAt } = event.data;
  const json = JSON.stringify(definition);
  await client.query(
    `INSERT INTO pipeline_versions
       (pipeline_id, version, definition, status, saved_at, published_at, last_position)
     VALUES ($1, $2, $3, 'published', $4, $4, $5) ON CONFLICT DO NOTHING`,
    [pipelineId, version, json, createdAt, event.position],
  );
  const { rows } = await client.query<PipelineRow>(
    `INSERT INTO pipelines (id, name, status, version, latest_version, definition, created_at, updated_at,
       cloned_from_id, cloned_from_version, template_id, last_position)
     VALUES ($1, $2, 'draft', $3, $3, $4, $5, $5, $6, $7, $8, $9)
     ON CONFLICT (id) DO NOTHING ${RETURNING}`,
    [
      pipelineId,
      name,
      version,
      json,
      createdAt,
      origin.clonedFrom?.pipelineId ?? null,
      origin.clonedFrom?.version ?? null,
      origin.templateId,
      event.position,
    ],
  );
  return rows[0];
};

/** `set` may use $3 (the event's time) and $4 onwards (`values`). */
const updatePipeline = async (
  client: pg.ClientBase,
  event: Recorded,
  set: string,
  values: unknown[] = [],
) => {
  const { rows } = await client.query<PipelineRow>(
    `UPDATE pipelines SET ${set}, updated_at = $3, last_position = $2
     WHERE id = $1 AND last_position < $2 ${RETURNING}`,
    [event.data.pipelineId, event.position, pipelineEventTime(event), ...values],
  );
  return rows[0];
};

// Makes `version` the published one, with its definition. A version the read model lacks leaves
// the row as it was, as the decider's fold does.
const publish = async (client: pg.ClientBase, event: Recorded, version: number) => {
  const { rows } = await client.query<PipelineRow>(
    `UPDATE pipelines p SET version = v.version, definition = v.definition, updated_at = $3,
       last_position = $2
     FROM pipeline_versions v
     WHERE p.id = $1 AND p.last_position < $2 AND v.pipeline_id = p.id AND v.version = $4
     ${RETURNING_P}`,
    [event.data.pipelineId, event.position, pipelineEventTime(event), version],
  );
  return rows[0];
};
