import { assertNever } from '../decider.js';
import type { PipelineDefinition } from './pipelineDefinition.js';
import type { PipelineEvent } from './pipelineEvent.js';

/** draft: never run yet; archived is terminal. */
export type PipelineStatus = 'draft' | 'active' | 'paused' | 'archived';

/**
 * One saved definition. A version is `published` once it has been the published one; the
 * definition a pipeline is created with is version 1 and counts as published from the start,
 * so a new pipeline can be activated at once.
 */
export interface PipelineVersion {
  version: number;
  definition: PipelineDefinition;
  status: 'draft' | 'published';
  savedAt: string;
}

export type PipelineState =
  | { status: 'none' }
  | {
      status: PipelineStatus;
      pipelineId: string;
      name: string;
      /** Every version, in order: `versions[n - 1]` is version n. */
      versions: PipelineVersion[];
      /** The published version: the one that runs while the pipeline is active. */
      version: number;
      /** The definition of the published version. */
      definition: PipelineDefinition;
    };

export type ExistingPipelineState = Exclude<PipelineState, { status: 'none' }>;

export const initialPipelineState: PipelineState = { status: 'none' };

/** The versions a run may use: every version that has been published. */
export const publishedVersionsOf = (state: PipelineState): number[] =>
  state.status === 'none' ? [] : state.versions.filter((v) => v.status === 'published').map((v) => v.version);

const started = (data: Extract<PipelineEvent, { type: 'PipelineCreated' }>['data']): PipelineState => {
  const { pipelineId, name, version, definition, createdAt } = data;
  return {
    status: 'draft',
    pipelineId,
    name,
    versions: [{ version, definition, status: 'published', savedAt: createdAt }],
    version,
    definition,
  };
};

// Makes `version` the published one. A version missing from the fold (a consumer that reads
// only some event types) leaves the state as it was rather than running a wrong definition.
const publish = (state: ExistingPipelineState, version: number): ExistingPipelineState => {
  const found = state.versions.find((v) => v.version === version);
  if (!found) return state;
  return {
    ...state,
    versions: state.versions.map((v) => (v.version === version ? { ...v, status: 'published' } : v)),
    version,
    definition: found.definition,
  };
};

export const evolvePipeline = (state: PipelineState, event: PipelineEvent): PipelineState => {
  switch (event.type) {
    case 'PipelineCreated':
    case 'PipelineCloned':
    case 'PipelineCreatedFromTemplate':
      return started(event.data);
    default:
      // Every other event changes an existing pipeline; one that arrives first changes nothing.
      return state.status === 'none' ? state : evolveExisting(state, event);
  }
};

const evolveExisting = (state: ExistingPipelineState, event: PipelineEvent): ExistingPipelineState => {
  switch (event.type) {
    case 'PipelineCreated':
    case 'PipelineCloned':
    case 'PipelineCreatedFromTemplate':
      return state;
    case 'PipelineVersionSaved': {
      const { version, definition, savedAt } = event.data;
      return { ...state, versions: [...state.versions, { version, definition, status: 'draft', savedAt }] };
    }
    case 'PipelineVersionPublished':
      return publish(state, event.data.version);
    case 'PipelineRolledBack':
      return publish(state, event.data.toVersion);
    case 'PipelineActivated':
    case 'PipelineResumed':
      return { ...state, status: 'active' };
    case 'PipelinePaused':
      return { ...state, status: 'paused' };
    case 'PipelineArchived':
      return { ...state, status: 'archived' };
    default:
      return assertNever(event);
  }
};
