import type { IResolvers } from 'mercurius';
import { TributaryError } from '../../errors.js';
import { replayDeadLetters, replayTopicOf } from '../../processors/deadLetterReplay.js';
import type { ApiContext } from '../apiServices.js';
import { authorize } from '../authorize.js';
import { loadPipelineState } from './loadPipeline.js';
import type { StartFromInput } from './runInput.js';
import { requestRunFor } from './runMutations.js';

interface ReplayPipelineInput extends StartFromInput {
  pipelineId: string;
  version?: number | null;
}

/** Replays for operators: a pipeline's source again as a batch run, and its dead letters. */
export const runReplayMutations: IResolvers['Mutation'] = {
  replayPipeline: (_root, { input }: { input: ReplayPipelineInput }, context: ApiContext) => {
    authorize(context, 'pipeline.replay', { pipelineId: input.pipelineId });
    return requestRunFor(context, { ...input, kind: 'batch' });
  },
  replayDeadLetters: async (_root, { pipelineId }: { pipelineId: string }, context: ApiContext) => {
    authorize(context, 'pipeline.replayDeadLetters', { pipelineId });
    const { log, eventStore } = context.services;
    if (!log) throw new TributaryError('LOG_UNAVAILABLE');
    const sourceTopic = replayTopicOf(await loadPipelineState(eventStore, pipelineId));
    const { replayed } = await replayDeadLetters({ log, pipelineId, sourceTopic });
    return { pipelineId, replayed };
  },
};
