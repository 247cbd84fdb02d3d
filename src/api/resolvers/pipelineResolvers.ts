import mercurius, { type IResolvers } from 'mercurius';
import { type PipelineCommand, pipelineDecider, pipelineStreamId } from '../../domain/pipelines/pipeline.js';
import type { MapStep, Step } from '../../domain/pipelines/pipelineDefinition.js';
import { deterministicId } from '../../infra/eventstore/deterministicId.js';
import { findPipeline, listPipelines } from '../../projections/pipelines/pipelineQueries.js';
import { PIPELINE_CHANGED } from '../../projections/pipelines/pipelinesProjection.js';
import type { PipelineView } from '../../projections/pipelines/pipelineView.js';
import { toPipelineView } from '../../projections/pipelines/pipelineView.js';
import type { ApiContext } from '../apiServices.js';
import { authorize } from '../authorize.js';
import { type CreatePipelineInput, toPipelineDefinition } from './pipelineInput.js';
import { runCommand } from './runCommand.js';

interface PipelineChangeMessage {
  event: string;
  position: string;
  pipeline: PipelineView;
}

const runPipelineCommand = async (context: ApiContext, command: PipelineCommand) => {
  authorize(context, `pipeline.${command.type}`);
  const { pipelineId } = command.data;
  const { position } = await runCommand(context, pipelineDecider, pipelineStreamId(pipelineId), command);
  return { pipelineId, position };
};

// mercurius is CommonJS; Node's ESM loader cannot see its named exports, only the default.
const { withFilter } = mercurius;

/** Resolvers turn input into commands and queries; the rules live in the domain. */
export const pipelineResolvers: IResolvers = {
  Query: {
    pipeline: async (_root, { id }: { id: string }, context: ApiContext) => {
      const row = await findPipeline(context.services.pool, id);
      return row && toPipelineView(row);
    },
    pipelines: async (_root, args: { first: number; status?: string | null }, context: ApiContext) =>
      (await listPipelines(context.services.pool, args)).map(toPipelineView),
  },
  Mutation: {
    createPipeline: (_root, { input }: { input: CreatePipelineInput }, context: ApiContext) =>
      runPipelineCommand(context, {
        type: 'CreatePipeline',
        data: {
          // Derived from the idempotency key when there is one, so a retried create finds the
          // stream of its first attempt rather than creating a second pipeline.
          pipelineId: context.commandId
            ? deterministicId(`pipeline:${context.commandId}`)
            : context.services.newId(),
          name: input.name,
          definition: toPipelineDefinition(input),
          createdAt: context.services.now().toISOString(),
        },
      }),
    activatePipeline: (_root, { id }: { id: string }, context: ApiContext) =>
      runPipelineCommand(context, {
        type: 'ActivatePipeline',
        data: { pipelineId: id, activatedAt: context.services.now().toISOString() },
      }),
    pausePipeline: (_root, { id }: { id: string }, context: ApiContext) =>
      runPipelineCommand(context, {
        type: 'PausePipeline',
        data: { pipelineId: id, pausedAt: context.services.now().toISOString() },
      }),
  },
  Subscription: {
    pipelineChanged: {
      subscribe: withFilter(
        (_root, _args, { pubsub }) => pubsub.subscribe(PIPELINE_CHANGED),
        (message: PipelineChangeMessage, args: { id?: string | null }) =>
          !args.id || message.pipeline.id === args.id,
      ),
      resolve: (message: PipelineChangeMessage) => message,
    },
  },
  Step: {
    // The schema has no type for filter steps yet, and the API cannot create one.
    resolveType: (step: Step) => (step.kind === 'map' ? 'MapStep' : undefined),
  },
  MapStep: {
    rename: (step: MapStep) => Object.entries(step.rename).map(([from, to]) => ({ from, to })),
  },
};
