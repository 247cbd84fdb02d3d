import { TributaryError, ValidationError } from '../../errors.js';
import { assertNever, type Decider } from '../decider.js';
import { type PipelineDefinition, validatePipelineDefinition } from './pipelineDefinition.js';

export type PipelineCommand =
  | {
      type: 'CreatePipeline';
      data: { pipelineId: string; name: string; definition: PipelineDefinition; createdAt: string };
    }
  | { type: 'ActivatePipeline'; data: { pipelineId: string; activatedAt: string } }
  | { type: 'PausePipeline'; data: { pipelineId: string; pausedAt: string } };

export type PipelineEvent =
  | {
      type: 'PipelineCreated';
      data: {
        pipelineId: string;
        name: string;
        version: number;
        definition: PipelineDefinition;
        createdAt: string;
      };
    }
  | { type: 'PipelineActivated'; data: { pipelineId: string; version: number; activatedAt: string } }
  | { type: 'PipelinePaused'; data: { pipelineId: string; pausedAt: string } };

export type PipelineStatus = 'draft' | 'active' | 'paused';

export type PipelineState =
  | { status: 'none' }
  | {
      status: PipelineStatus;
      pipelineId: string;
      name: string;
      version: number;
      definition: PipelineDefinition;
    };

export const pipelineStreamId = (pipelineId: string): string => `pipeline-${pipelineId}`;

const MAX_NAME_LENGTH = 100;

const decide = (command: PipelineCommand, state: PipelineState): PipelineEvent[] => {
  switch (command.type) {
    case 'CreatePipeline': {
      if (state.status !== 'none') throw new TributaryError('PIPELINE_ALREADY_EXISTS');
      const { pipelineId, definition, createdAt } = command.data;
      const name = command.data.name.trim();
      const problems = validatePipelineDefinition(definition);
      if (name.length === 0 || name.length > MAX_NAME_LENGTH) {
        problems.unshift({ path: 'name', message: `must be 1 to ${MAX_NAME_LENGTH} characters` });
      }
      if (problems.length > 0) throw new ValidationError(problems);
      return [{ type: 'PipelineCreated', data: { pipelineId, name, version: 1, definition, createdAt } }];
    }
    case 'ActivatePipeline': {
      if (state.status === 'none') throw new TributaryError('PIPELINE_NOT_FOUND');
      if (state.status === 'active') throw new TributaryError('PIPELINE_ALREADY_ACTIVE');
      const { pipelineId, activatedAt } = command.data;
      return [{ type: 'PipelineActivated', data: { pipelineId, version: state.version, activatedAt } }];
    }
    case 'PausePipeline': {
      if (state.status === 'none') throw new TributaryError('PIPELINE_NOT_FOUND');
      // Pausing a pipeline that is not running changes nothing, so it records nothing.
      if (state.status !== 'active') return [];
      return [{ type: 'PipelinePaused', data: command.data }];
    }
    default:
      return assertNever(command);
  }
};

const evolve = (state: PipelineState, event: PipelineEvent): PipelineState => {
  switch (event.type) {
    case 'PipelineCreated': {
      const { pipelineId, name, version, definition } = event.data;
      return { status: 'draft', pipelineId, name, version, definition };
    }
    case 'PipelineActivated':
      return state.status === 'none' ? state : { ...state, status: 'active' };
    case 'PipelinePaused':
      return state.status === 'none' ? state : { ...state, status: 'paused' };
    default:
      return assertNever(event);
  }
};

export const pipelineDecider: Decider<PipelineCommand, PipelineEvent, PipelineState> = {
  initialState: { status: 'none' },
  decide,
  evolve,
};
