import type { PipelineDefinition } from './pipelineDefinition.js';

/** The data every event that starts a pipeline carries; `version` is always 1. */
interface NewPipeline {
  pipelineId: string;
  name: string;
  version: number;
  definition: PipelineDefinition;
  createdAt: string;
}

/**
 * What happened to a pipeline. Stored events are never rewritten, so a shape here only ever
 * gains optional fields: `PipelineCreated`, `PipelineActivated` and `PipelinePaused` were
 * stored before versions existed and must stay readable as they are.
 */
export type PipelineEvent =
  | { type: 'PipelineCreated'; data: NewPipeline }
  | {
      type: 'PipelineCloned';
      data: NewPipeline & { clonedFrom: { pipelineId: string; version: number } };
    }
  | { type: 'PipelineCreatedFromTemplate'; data: NewPipeline & { templateId: string } }
  | {
      type: 'PipelineVersionSaved';
      data: { pipelineId: string; version: number; definition: PipelineDefinition; savedAt: string };
    }
  | { type: 'PipelineVersionPublished'; data: { pipelineId: string; version: number; publishedAt: string } }
  | { type: 'PipelineActivated'; data: { pipelineId: string; version: number; activatedAt: string } }
  | { type: 'PipelinePaused'; data: { pipelineId: string; pausedAt: string } }
  | { type: 'PipelineResumed'; data: { pipelineId: string; version: number; resumedAt: string } }
  | {
      type: 'PipelineRolledBack';
      data: { pipelineId: string; fromVersion: number; toVersion: number; rolledBackAt: string };
    }
  | { type: 'PipelineArchived'; data: { pipelineId: string; archivedAt: string } };

/** Every PipelineEvent type, for code that must cover them all (schemas, upcasters); a type test keeps it whole. */
export const pipelineEventTypes = [
  'PipelineCreated',
  'PipelineCloned',
  'PipelineCreatedFromTemplate',
  'PipelineVersionSaved',
  'PipelineVersionPublished',
  'PipelineActivated',
  'PipelinePaused',
  'PipelineResumed',
  'PipelineRolledBack',
  'PipelineArchived',
] as const satisfies readonly PipelineEvent['type'][];
