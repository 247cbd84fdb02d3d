import mercurius, { type IResolvers } from 'mercurius';
import { findRun, listRuns } from '../../projections/runs/runQueries.js';
import { RUN_UPDATED } from '../../projections/runs/runsProjection.js';
import { type RunView, toRunView } from '../../projections/runs/runView.js';
import type { ApiContext } from '../apiServices.js';
import { authorize } from '../authorize.js';
import { runMutations } from './runMutations.js';
import { runPageRequest, toRunConnection } from './runPages.js';
import { runReplayMutations } from './runReplayMutations.js';

interface RunChangeMessage {
  event: string;
  position: string;
  run: RunView;
}

interface RunsArgs {
  pipelineId?: string | null;
  status?: string | null;
  first?: number | null;
  after?: string | null;
}

// mercurius is CommonJS; Node's ESM loader cannot see its named exports, only the default.
const { withFilter } = mercurius;

export const runResolvers: IResolvers = {
  Query: {
    run: async (_root, { id }: { id: string }, context: ApiContext) => {
      authorize(context, 'run.read');
      const row = await findRun(context.services.pool, id);
      return row && toRunView(row);
    },
    runs: async (_root, args: RunsArgs, context: ApiContext) => {
      authorize(context, 'run.read', { pipelineId: args.pipelineId ?? null });
      const request = runPageRequest(args);
      const list = await listRuns(context.services.pool, args, request);
      return toRunConnection(request, list.rows, list.totalCount);
    },
  },
  Mutation: { ...(runMutations as object), ...(runReplayMutations as object) },
  Subscription: {
    runUpdated: {
      subscribe: withFilter(
        (_root, _args, context: ApiContext) => {
          authorize(context, 'run.read');
          return context.pubsub.subscribe(RUN_UPDATED);
        },
        (message: RunChangeMessage, args: { pipelineId?: string | null; runId?: string | null }) =>
          (!args.pipelineId || message.run.pipelineId === args.pipelineId) &&
          (!args.runId || message.run.id === args.runId),
      ),
      resolve: (message: RunChangeMessage) => message,
    },
  },
};
