import { type FieldProblem, TributaryError, ValidationError } from '../../errors.js';
import { assertNever, type Decider } from '../decider.js';
import type { PipelineCommand } from './pipelineCommand.js';
import { type PipelineDefinition, validatePipelineDefinition } from './pipelineDefinition.js';
import type { PipelineEvent } from './pipelineEvent.js';
import {
  type ExistingPipelineState,
  evolvePipeline,
  initialPipelineState,
  type PipelineState,
  type PipelineVersion,
} from './pipelineState.js';

export type { PipelineCommand } from './pipelineCommand.js';
export type { PipelineEvent } from './pipelineEvent.js';
export type {
  ExistingPipelineState,
  PipelineState,
  PipelineStatus,
  PipelineVersion,
} from './pipelineState.js';
export { publishedVersionsOf } from './pipelineState.js';

export const pipelineStreamId = (pipelineId: string): string => `pipeline-${pipelineId}`;

const MAX_NAME_LENGTH = 100;

/**
 * Checks what every new pipeline needs, reporting every problem at once (the name first, then
 * where it came from, then the definition), and returns the trimmed name.
 */
const assertNewPipeline = (
  state: PipelineState,
  input: { name: string; definition: PipelineDefinition; knownConnectorIds?: readonly string[] | undefined },
  originProblems: FieldProblem[] = [],
): string => {
  if (state.status !== 'none') throw new TributaryError('PIPELINE_ALREADY_EXISTS');
  const name = typeof input.name === 'string' ? input.name.trim() : '';
  const problems: FieldProblem[] = [];
  if (name.length === 0 || name.length > MAX_NAME_LENGTH) {
    problems.push({ path: 'name', message: `must be 1 to ${MAX_NAME_LENGTH} characters` });
  }
  problems.push(...originProblems);
  problems.push(...validatePipelineDefinition(input.definition, input));
  if (problems.length > 0) throw new ValidationError(problems);
  return name;
};

/** The pipeline, if it exists and is not archived: an archived pipeline can only be read. */
const assertLive = (state: PipelineState): ExistingPipelineState => {
  if (state.status === 'none') throw new TributaryError('PIPELINE_NOT_FOUND');
  if (state.status === 'archived') throw new TributaryError('PIPELINE_ARCHIVED');
  return state;
};

const assertVersion = (state: ExistingPipelineState, version: number): PipelineVersion => {
  const found = state.versions.find((v) => v.version === version);
  if (!found) {
    throw new TributaryError('PIPELINE_VERSION_NOT_FOUND', {
      message: `The pipeline has no version ${version}; its versions are 1 to ${state.versions.length}`,
    });
  }
  return found;
};

const isPositiveInteger = (value: unknown): boolean => Number.isInteger(value) && (value as number) >= 1;

const decide = (command: PipelineCommand, state: PipelineState): PipelineEvent[] => {
  switch (command.type) {
    case 'CreatePipeline': {
      const { pipelineId, definition, createdAt } = command.data;
      const name = assertNewPipeline(state, command.data);
      return [{ type: 'PipelineCreated', data: { pipelineId, name, version: 1, definition, createdAt } }];
    }
    case 'ClonePipeline': {
      const { pipelineId, definition, clonedFrom, createdAt } = command.data;
      const origin: FieldProblem[] = [];
      if (typeof clonedFrom?.pipelineId !== 'string' || clonedFrom.pipelineId.length === 0) {
        origin.push({ path: 'clonedFrom.pipelineId', message: 'must be the id of the pipeline cloned' });
      } else if (clonedFrom.pipelineId === pipelineId) {
        origin.push({ path: 'clonedFrom.pipelineId', message: 'must differ from the new pipeline id' });
      }
      if (!isPositiveInteger(clonedFrom?.version)) {
        origin.push({ path: 'clonedFrom.version', message: 'must be a version number, from 1' });
      }
      const name = assertNewPipeline(state, command.data, origin);
      const from = { pipelineId: clonedFrom.pipelineId, version: clonedFrom.version };
      return [
        {
          type: 'PipelineCloned',
          data: { pipelineId, name, version: 1, definition, createdAt, clonedFrom: from },
        },
      ];
    }
    case 'CreatePipelineFromTemplate': {
      const { pipelineId, definition, templateId, createdAt } = command.data;
      const origin: FieldProblem[] =
        typeof templateId === 'string' && templateId.length > 0
          ? []
          : [{ path: 'templateId', message: 'must be the id of a template' }];
      const name = assertNewPipeline(state, command.data, origin);
      return [
        {
          type: 'PipelineCreatedFromTemplate',
          data: { pipelineId, name, version: 1, definition, createdAt, templateId },
        },
      ];
    }
    case 'SavePipelineVersion': {
      const pipeline = assertLive(state);
      const { pipelineId, definition, savedAt } = command.data;
      const problems = validatePipelineDefinition(definition, command.data);
      if (problems.length > 0) throw new ValidationError(problems);
      const version = pipeline.versions.length + 1;
      return [{ type: 'PipelineVersionSaved', data: { pipelineId, version, definition, savedAt } }];
    }
    case 'PublishPipelineVersion': {
      const pipeline = assertLive(state);
      const { pipelineId, version, publishedAt } = command.data;
      const target = assertVersion(pipeline, version);
      // Publishing what is already published changes nothing, so it records nothing.
      if (target.version === pipeline.version) return [];
      // An earlier version that ran before goes back through a rollback, recorded as one; a
      // later one (after a rollback) is published again, rolling forward.
      if (target.status === 'published' && target.version < pipeline.version) {
        throw new TributaryError('PIPELINE_VERSION_ALREADY_PUBLISHED', {
          message: `Version ${version} was published before; roll back to it instead`,
        });
      }
      return [{ type: 'PipelineVersionPublished', data: { pipelineId, version, publishedAt } }];
    }
    case 'ActivatePipeline': {
      const pipeline = assertLive(state);
      if (pipeline.status === 'active') throw new TributaryError('PIPELINE_ALREADY_ACTIVE');
      const { pipelineId, activatedAt } = command.data;
      return [{ type: 'PipelineActivated', data: { pipelineId, version: pipeline.version, activatedAt } }];
    }
    case 'PausePipeline': {
      const pipeline = assertLive(state);
      // Pausing a pipeline that is not running changes nothing, so it records nothing.
      if (pipeline.status !== 'active') return [];
      const { pipelineId, pausedAt } = command.data;
      return [{ type: 'PipelinePaused', data: { pipelineId, pausedAt } }];
    }
    case 'ResumePipeline': {
      const pipeline = assertLive(state);
      if (pipeline.status !== 'paused') {
        throw new TributaryError('PIPELINE_NOT_PAUSED', {
          message: `The pipeline is ${pipeline.status}, not paused`,
        });
      }
      const { pipelineId, resumedAt } = command.data;
      return [{ type: 'PipelineResumed', data: { pipelineId, version: pipeline.version, resumedAt } }];
    }
    case 'RollBackPipeline': {
      const pipeline = assertLive(state);
      const { pipelineId, version, rolledBackAt } = command.data;
      const target = assertVersion(pipeline, version);
      if (target.version >= pipeline.version) {
        throw new ValidationError([
          { path: 'version', message: `must be earlier than the published version ${pipeline.version}` },
        ]);
      }
      if (target.status !== 'published') {
        throw new TributaryError('PIPELINE_VERSION_NOT_PUBLISHED', {
          message: `Version ${version} was never published, so the pipeline cannot roll back to it`,
        });
      }
      return [
        {
          type: 'PipelineRolledBack',
          data: { pipelineId, fromVersion: pipeline.version, toVersion: version, rolledBackAt },
        },
      ];
    }
    case 'ArchivePipeline': {
      const pipeline = assertLive(state);
      const { pipelineId, archivedAt } = command.data;
      const archived: PipelineEvent = { type: 'PipelineArchived', data: { pipelineId, archivedAt } };
      // A running pipeline stops first, with the event every processor already acts on.
      if (pipeline.status !== 'active') return [archived];
      return [{ type: 'PipelinePaused', data: { pipelineId, pausedAt: archivedAt } }, archived];
    }
    default:
      return assertNever(command);
  }
};

export const pipelineDecider: Decider<PipelineCommand, PipelineEvent, PipelineState> = {
  initialState: initialPipelineState,
  decide,
  evolve: evolvePipeline,
};
