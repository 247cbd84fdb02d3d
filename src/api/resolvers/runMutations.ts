import type { IResolvers } from 'mercurius';
import { type RunCommand, type RunKind, runDecider, runStreamId } from '../../domain/runs/run.js';
import { requestRunOf } from '../../domain/runs/runRequest.js';
import { startFromOf } from '../../domain/runs/runStartFrom.js';
import { deterministicId } from '../../infra/eventstore/deterministicId.js';
import type { ApiContext } from '../apiServices.js';
import { authorize } from '../authorize.js';
import { loadPipelineState } from './loadPipeline.js';
import { runCommand } from './runCommand.js';
import {
  type RecordRunProgressInput,
  type RequestRunInput,
  type StartFromInput,
  toCheckpoint,
  withStartFromPaths,
} from './runInput.js';

const runRunCommand = async (context: ApiContext, command: RunCommand) => {
  const { runId } = command.data;
  const { position } = await runCommand(context, runDecider, runStreamId(runId), command);
  return { runId, position };
};

const now = (context: ApiContext) => context.services.now().toISOString();

type IdArgs = { id: string };

/** Requests a run of the pipeline as it is now; for requestRun and replayPipeline. */
export const requestRunFor = async (
  context: ApiContext,
  input: { pipelineId: string; version?: number | null; kind: RunKind } & StartFromInput,
) => {
  const startFrom = startFromOf(input);
  // The pipeline's facts come from its stream as it is now. The check and the append touch two
  // streams, so a pipeline archived in between still gets the run: whatever starts runs
  // must look at the pipeline again.
  const pipeline = await loadPipelineState(context.services.eventStore, input.pipelineId);
  const command = requestRunOf(pipeline, {
    // From the idempotency key when there is one, so a retry finds its first run.
    runId: context.commandId ? deterministicId(`run:${context.commandId}`) : context.services.newId(),
    pipelineId: input.pipelineId,
    version: input.version,
    kind: input.kind,
    requestedAt: now(context),
    startFrom,
  });
  return withStartFromPaths(input, () => runRunCommand(context, command));
};

/**
 * One mutation per run command. Processors and operators send them; they are exposed over
 * GraphQL as admin operations, each behind its own action.
 */
export const runMutations: IResolvers['Mutation'] = {
  requestRun: (_root, { input }: { input: RequestRunInput }, context: ApiContext) => {
    authorize(context, 'run.request', { pipelineId: input.pipelineId });
    return requestRunFor(context, { ...input, kind: input.kind ?? 'batch' });
  },
  startRun: (_root, { id }: IdArgs, context: ApiContext) => {
    authorize(context, 'run.start');
    return runRunCommand(context, { type: 'StartRun', data: { runId: id, startedAt: now(context) } });
  },
  recordRunProgress: (_root, { input }: { input: RecordRunProgressInput }, context: ApiContext) => {
    authorize(context, 'run.recordProgress');
    return runRunCommand(context, {
      type: 'RecordRunProgress',
      data: {
        runId: input.runId,
        counts: input.counts,
        lag: input.lag,
        checkpoint: toCheckpoint(input.checkpoint ?? []),
        recordedAt: now(context),
      },
    });
  },
  completeRun: (_root, { id }: IdArgs, context: ApiContext) => {
    authorize(context, 'run.complete');
    return runRunCommand(context, { type: 'CompleteRun', data: { runId: id, completedAt: now(context) } });
  },
  failRun: (_root, { id, reason }: IdArgs & { reason: string }, context: ApiContext) => {
    authorize(context, 'run.fail');
    return runRunCommand(context, { type: 'FailRun', data: { runId: id, reason, failedAt: now(context) } });
  },
  cancelRun: (_root, { id }: IdArgs, context: ApiContext) => {
    authorize(context, 'run.cancel');
    return runRunCommand(context, { type: 'CancelRun', data: { runId: id, cancelledAt: now(context) } });
  },
};
