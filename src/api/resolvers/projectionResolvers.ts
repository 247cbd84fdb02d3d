import mercurius, { type IResolvers } from 'mercurius';
import { PROJECTION_PROGRESS } from '../../projections/runner/projectionLeader.js';
import {
  readProjectionStatuses,
  requestRebuild,
  requestResume,
} from '../../projections/runner/projectionStatusQueries.js';
import type { ProjectionStatusView } from '../../projections/runner/projectionStatusView.js';
import type { ApiContext } from '../apiServices.js';
import { authorize } from '../authorize.js';

// mercurius is CommonJS; Node's ESM loader cannot see its named exports, only the default.
const { withFilter } = mercurius;

/** Status, rebuild and resume of the projections; the runners act on the requests they find. */
export const projectionResolvers: IResolvers = {
  Query: {
    projectionStatus: (_root, _args, context: ApiContext) => {
      authorize(context, 'projection.read');
      return readProjectionStatuses(context.services.pool);
    },
  },
  Mutation: {
    rebuildProjection: (_root, { name }: { name: string }, context: ApiContext) => {
      authorize(context, 'projection.rebuild');
      return requestRebuild(context.services.pool, name);
    },
    resumeProjection: (_root, { name }: { name: string }, context: ApiContext) => {
      authorize(context, 'projection.resume');
      return requestResume(context.services.pool, name);
    },
  },
  Subscription: {
    projectionProgress: {
      subscribe: withFilter(
        (_root, _args, context: ApiContext) => {
          authorize(context, 'projection.read');
          return context.pubsub.subscribe(PROJECTION_PROGRESS);
        },
        (status: ProjectionStatusView, args: { name?: string | null }) =>
          !args.name || status.name === args.name,
      ),
      resolve: (status: ProjectionStatusView) => status,
    },
  },
  ProjectionStatus: {
    lag: (status: ProjectionStatusView) => Number(status.lag),
  },
};
