import { type PipelineEvent, type PipelineState, pipelineDecider } from '../../domain/pipelines/pipeline.js';
import type { RecordedEvent } from '../../infra/eventstore/eventStore.js';
import { pipelineEventTime } from './pipelineEventTime.js';
import { type PipelineView, runningVersionOf } from './pipelineView.js';

/**
 * A pipeline as it was at `at`, from its events recorded until then (the caller reads them
 * with `readStream(..., { until: at })`): its state is the decider's own fold, so the past
 * reads exactly as commands saw it; times, origin and position come from the events beside.
 * Null when the pipeline did not exist yet.
 */
export const pipelineViewAsOf = (events: readonly RecordedEvent[], at: Date): PipelineView | null => {
  const first = events[0] as (RecordedEvent & PipelineEvent) | undefined;
  const last = events.at(-1);
  if (!first || !last) return null;
  let state: PipelineState = pipelineDecider.initialState;
  const publishedAt = new Map<number, string>();
  let archivedAt: string | null = null;
  for (const recorded of events) {
    const event = recorded as unknown as PipelineEvent;
    state = pipelineDecider.evolve(state, event);
    if (event.type === 'PipelineVersionPublished' && !publishedAt.has(event.data.version)) {
      publishedAt.set(event.data.version, event.data.publishedAt);
    }
    if (event.type === 'PipelineArchived') archivedAt = event.data.archivedAt;
  }
  if (state.status === 'none') return null;
  const createdAt = pipelineEventTime(first);
  publishedAt.set(1, createdAt);
  return {
    id: state.pipelineId,
    name: state.name,
    status: state.status,
    version: state.version,
    runningVersion: runningVersionOf(state.status, state.version),
    latestVersion: state.versions.length,
    ...state.definition,
    createdAt,
    updatedAt: pipelineEventTime(last as unknown as PipelineEvent),
    archivedAt,
    clonedFrom: first.type === 'PipelineCloned' ? first.data.clonedFrom : null,
    templateId: first.type === 'PipelineCreatedFromTemplate' ? first.data.templateId : null,
    position: String(last.position),
    asOf: {
      at: at.toISOString(),
      versions: state.versions.map(({ version, definition, status, savedAt }) => ({
        pipelineId: state.pipelineId,
        version,
        status,
        ...definition,
        savedAt,
        publishedAt: status === 'published' ? (publishedAt.get(version) ?? null) : null,
      })),
    },
  };
};
