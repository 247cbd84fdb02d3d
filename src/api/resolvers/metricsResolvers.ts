import mercurius, { type IResolvers } from 'mercurius';
import { granularityForStep } from '../../projections/metrics/metricGranularity.js';
import type { PipelineMetricsPoint } from '../../projections/metrics/metricPoint.js';
import { PIPELINE_METRICS_UPDATED } from '../../projections/metrics/metricsProjection.js';
import { readPipelineMetrics } from '../../projections/metrics/metricsQueries.js';
import type { ApiContext } from '../apiServices.js';
import { authorize } from '../authorize.js';
import { chartRangeOf } from './chartRange.js';
import { readSeries, type SeriesArgs } from './sinkTableSeries.js';

interface MetricsUpdate {
  pipelineId: string;
  point: PipelineMetricsPoint;
}

// mercurius is CommonJS; Node's ESM loader cannot see its named exports, only the default.
const { withFilter } = mercurius;

/** Chart data: a pipeline's metrics (read model of run progress), aggregate series, and live points. */
export const metricsResolvers: IResolvers = {
  Query: {
    pipelineMetrics: async (
      _root,
      args: { pipelineId: string; from: string; to: string; step?: number | null },
      context: ApiContext,
    ) => {
      authorize(context, 'metrics.read');
      const range = chartRangeOf(args, 10);
      // Every multiple of 10 s has one; chartRangeOf let through only those.
      const granularity = granularityForStep(range.stepSeconds);
      const points = await readPipelineMetrics(context.services.pool, args.pipelineId, range);
      return {
        pipelineId: args.pipelineId,
        stepSeconds: range.stepSeconds,
        granularity: granularity?.name,
        points,
      };
    },
    series: async (_root, args: SeriesArgs, context: ApiContext) => {
      authorize(context, 'metrics.read');
      return readSeries(context.services, args);
    },
  },
  Subscription: {
    pipelineMetricsUpdated: {
      subscribe: withFilter(
        (_root, _args, context: ApiContext) => {
          authorize(context, 'metrics.read');
          return context.pubsub.subscribe(PIPELINE_METRICS_UPDATED);
        },
        (message: MetricsUpdate, args: { pipelineId: string }) => message.pipelineId === args.pipelineId,
      ),
      resolve: (message: MetricsUpdate) => message.point,
    },
  },
};
