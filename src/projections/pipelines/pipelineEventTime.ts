import { assertNever } from '../../domain/decider.js';
import type { PipelineEvent } from '../../domain/pipelines/pipeline.js';

/** When the event happened, by the time its command carried (not the store's clock). */
export const pipelineEventTime = (event: PipelineEvent): string => {
  switch (event.type) {
    case 'PipelineCreated':
    case 'PipelineCloned':
    case 'PipelineCreatedFromTemplate':
      return event.data.createdAt;
    case 'PipelineVersionSaved':
      return event.data.savedAt;
    case 'PipelineVersionPublished':
      return event.data.publishedAt;
    case 'PipelineActivated':
      return event.data.activatedAt;
    case 'PipelinePaused':
      return event.data.pausedAt;
    case 'PipelineResumed':
      return event.data.resumedAt;
    case 'PipelineRolledBack':
      return event.data.rolledBackAt;
    case 'PipelineArchived':
      return event.data.archivedAt;
    default:
      return assertNever(event);
  }
};
