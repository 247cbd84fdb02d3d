import type { MercuriusLoaders } from 'mercurius';
import { findPipelineVersions } from '../../projections/pipelines/pipelineQueries.js';
import type { PipelineVersionView, PipelineView } from '../../projections/pipelines/pipelineView.js';
import { toPipelineVersionView } from '../../projections/pipelines/pipelineView.js';
import { listRunsOfPipelines, type PipelineRunsRequest } from '../../projections/runs/runQueries.js';
import type { ApiContext } from '../apiServices.js';
import type { ConnectionArgs, PageRequest } from './connection.js';
import { runPageRequest, toRunConnection } from './runPages.js';

/**
 * The fields of `Pipeline` that read other rows, batched: listing 20 pipelines with their
 * versions and runs costs one query for all versions and one for all runs, not one per
 * pipeline. A pipeline read as of an instant carries its versions from its events, and its
 * runs are those requested until then.
 */
export const pipelineLoaders: MercuriusLoaders = {
  Pipeline: {
    versions: async (queries: { obj: PipelineView }[], context: ApiContext) => {
      const current = [...new Set(queries.filter(({ obj }) => !obj.asOf).map(({ obj }) => obj.id))];
      const rows = current.length > 0 ? await findPipelineVersions(context.services.pool, current) : [];
      const byPipeline = new Map<string, PipelineVersionView[]>();
      for (const row of rows) {
        const versions = byPipeline.get(row.pipeline_id) ?? [];
        versions.push(toPipelineVersionView(row));
        byPipeline.set(row.pipeline_id, versions);
      }
      return queries.map(({ obj }) => obj.asOf?.versions ?? byPipeline.get(obj.id) ?? []);
    },
    runs: async (queries: { obj: PipelineView; params: ConnectionArgs }[], context: ApiContext) => {
      // A bad `first` or cursor fails that pipeline's field only: GraphQL turns an Error
      // returned for one item into an error at its path.
      type Request = { page: PageRequest; runs: PipelineRunsRequest };
      const requests = queries.map(({ obj, params }): Request | Error => {
        try {
          const page = runPageRequest(params);
          const { after, limit } = page;
          return { page, runs: { pipelineId: obj.id, after, limit, until: obj.asOf?.at ?? null } };
        } catch (error) {
          return error as Error;
        }
      });
      const valid = requests.filter((request): request is Request => !(request instanceof Error));
      const pages =
        valid.length > 0
          ? await listRunsOfPipelines(
              context.services.pool,
              valid.map((r) => r.runs),
            )
          : [];
      let next = 0;
      return requests.map((request) => {
        if (request instanceof Error) return request;
        const found = pages[next++];
        return toRunConnection(request.page, found?.rows ?? [], found?.totalCount ?? 0);
      });
    },
  },
};
