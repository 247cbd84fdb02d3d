import type { PipelineEvent } from '../../domain/pipelines/pipeline.js';
import type { RecordedEvent } from '../../infra/eventstore/eventStore.js';
import type { LiveUpdate, Projection } from '../projection.js';
import { pipelineMigrations } from './pipelineMigrations.js';
import { toPipelineView } from './pipelineView.js';
import { writePipelineEvent } from './pipelineWrites.js';

export const PIPELINE_CHANGED = 'pipelineChanged';

// A mapped type, so a pipeline event added to the domain does not compile until it is listed.
const FOLLOWED: { [Type in PipelineEvent['type']]: true } = {
  PipelineCreated: true,
  PipelineCloned: true,
  PipelineCreatedFromTemplate: true,
  PipelineVersionSaved: true,
  PipelineVersionPublished: true,
  PipelineActivated: true,
  PipelinePaused: true,
  PipelineResumed: true,
  PipelineRolledBack: true,
  PipelineArchived: true,
};
const PIPELINE_EVENT_TYPES: ReadonlySet<string> = new Set(Object.keys(FOLLOWED));

const isPipelineEvent = (event: RecordedEvent): event is RecordedEvent & PipelineEvent =>
  PIPELINE_EVENT_TYPES.has(event.type);

/**
 * The pipelines read model: `pipelines`, one row per pipeline with its status, published
 * version and that version's definition, and `pipeline_versions`, every version saved. Each
 * event that changes a pipeline is published on `pipelineChanged` once its rows commit, as
 * `{ event, position, pipeline }`; an event delivered again changes nothing and publishes nothing.
 */
export const pipelinesProjection: Projection = {
  name: 'pipelines',
  tables: ['pipelines', 'pipeline_versions'],
  migrations: pipelineMigrations,
  async apply(client, events) {
    const updates: LiveUpdate[] = [];
    for (const event of events) {
      if (!isPipelineEvent(event)) continue;
      const row = await writePipelineEvent(client, event);
      if (!row) continue;
      const payload = { event: event.type, position: String(event.position), pipeline: toPipelineView(row) };
      updates.push({ topic: PIPELINE_CHANGED, payload });
    }
    return updates;
  },
};
