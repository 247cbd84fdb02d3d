import type { PipelineStatus } from '../../domain/pipelines/pipeline.js';
import type { PipelineDefinition } from '../../domain/pipelines/pipelineDefinition.js';
import type { PipelineRow } from './pipelineRow.js';

/**
 * A pipeline as clients see it, plain JSON so it crosses Redis pub/sub unchanged. The API's
 * `Pipeline` type resolves from this shape.
 */
export interface PipelineView extends PipelineDefinition {
  id: string;
  name: string;
  status: PipelineStatus;
  version: number;
  createdAt: string;
  updatedAt: string;
  position: string;
}

export const toPipelineView = (row: PipelineRow): PipelineView => ({
  id: row.id,
  name: row.name,
  status: row.status,
  version: row.version,
  ...row.definition,
  createdAt: row.created_at.toISOString(),
  updatedAt: row.updated_at.toISOString(),
  position: String(row.last_position),
});
