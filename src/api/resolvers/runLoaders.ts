import type { MercuriusLoaders } from 'mercurius';
import { findPipelines } from '../../projections/pipelines/pipelineQueries.js';
import { toPipelineView } from '../../projections/pipelines/pipelineView.js';
import type { RunView } from '../../projections/runs/runView.js';
import type { ApiContext } from '../apiServices.js';

/** `Run.pipeline`, batched: one query for the pipelines of every run in a response. */
export const runLoaders: MercuriusLoaders = {
  Run: {
    pipeline: async (queries: { obj: RunView }[], context: ApiContext) => {
      const ids = [...new Set(queries.map(({ obj }) => obj.pipelineId))];
      const rows = await findPipelines(context.services.pool, ids);
      const byId = new Map(rows.map((row) => [row.id, toPipelineView(row)]));
      return queries.map(({ obj }) => byId.get(obj.pipelineId) ?? null);
    },
  },
};
