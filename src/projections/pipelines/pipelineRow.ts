import type { PipelineStatus } from '../../domain/pipelines/pipeline.js';
import type { PipelineDefinition } from '../../domain/pipelines/pipelineDefinition.js';

/** A row of the `pipelines` read model, as queries and live updates return it. */
export interface PipelineRow {
  id: string;
  name: string;
  status: PipelineStatus;
  /** The published version: the one that runs while the pipeline is active. */
  version: number;
  /** The newest version saved, published or not. */
  latest_version: number;
  /** The published version's definition. */
  definition: PipelineDefinition;
  created_at: Date;
  updated_at: Date;
  archived_at: Date | null;
  cloned_from_id: string | null;
  cloned_from_version: number | null;
  template_id: string | null;
  last_position: number;
}

export const PIPELINE_COLUMNS =
  'id, name, status, version, latest_version, definition, created_at, updated_at, archived_at, ' +
  'cloned_from_id, cloned_from_version, template_id, last_position';

/** A row of `pipeline_versions`: every version of every pipeline, drafts included. */
export interface PipelineVersionRow {
  pipeline_id: string;
  version: number;
  definition: PipelineDefinition;
  status: 'draft' | 'published';
  saved_at: Date;
  published_at: Date | null;
  last_position: number;
}

export const PIPELINE_VERSION_COLUMNS =
  'pipeline_id, version, definition, status, saved_at, published_at, last_position';
