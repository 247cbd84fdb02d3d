import type { PipelineStatus } from '../../domain/pipelines/pipeline.js';
import type { PipelineDefinition } from '../../domain/pipelines/pipelineDefinition.js';

/** A row of the `pipelines` read model, as queries and live updates return it. */
export interface PipelineRow {
  id: string;
  name: string;
  status: PipelineStatus;
  version: number;
  definition: PipelineDefinition;
  created_at: Date;
  updated_at: Date;
  last_position: number;
}

export const PIPELINE_COLUMNS =
  'id, name, status, version, definition, created_at, updated_at, last_position';
