import type { PipelineStatus } from '../../domain/pipelines/pipeline.js';
import type { PipelineDefinition } from '../../domain/pipelines/pipelineDefinition.js';
import type { PipelineRow, PipelineVersionRow } from './pipelineRow.js';

/** One version of a pipeline as clients see it. */
export interface PipelineVersionView extends PipelineDefinition {
  pipelineId: string;
  version: number;
  status: 'draft' | 'published';
  savedAt: string;
  /** When it was first published; null for a draft. */
  publishedAt: string | null;
}

/**
 * A pipeline as clients see it, plain JSON so it crosses Redis pub/sub unchanged. The API's
 * `Pipeline` type resolves from this shape, whether it comes from the read model or, for a
 * past instant, from the pipeline's events.
 */
export interface PipelineView extends PipelineDefinition {
  id: string;
  name: string;
  status: PipelineStatus;
  version: number;
  /** The version processing records: the published one while active, else null. */
  runningVersion: number | null;
  latestVersion: number;
  createdAt: string;
  updatedAt: string;
  archivedAt: string | null;
  clonedFrom: { pipelineId: string; version: number } | null;
  templateId: string | null;
  position: string;
  /**
   * Set only on a pipeline as it was at an instant (`asOf`): that instant and the versions
   * it had then, so its fields show the past rather than the read model's present.
   */
  asOf?: { at: string; versions: PipelineVersionView[] };
}

export const runningVersionOf = (status: PipelineStatus, version: number): number | null =>
  status === 'active' ? version : null;

export const toPipelineView = (row: PipelineRow): PipelineView => ({
  id: row.id,
  name: row.name,
  status: row.status,
  version: row.version,
  runningVersion: runningVersionOf(row.status, row.version),
  latestVersion: row.latest_version,
  ...row.definition,
  createdAt: row.created_at.toISOString(),
  updatedAt: row.updated_at.toISOString(),
  archivedAt: row.archived_at?.toISOString() ?? null,
  clonedFrom:
    row.cloned_from_id === null || row.cloned_from_version === null
      ? null
      : { pipelineId: row.cloned_from_id, version: row.cloned_from_version },
  templateId: row.template_id,
  position: String(row.last_position),
});

export const toPipelineVersionView = (row: PipelineVersionRow): PipelineVersionView => ({
  pipelineId: row.pipeline_id,
  version: row.version,
  status: row.status,
  ...row.definition,
  savedAt: row.saved_at.toISOString(),
  publishedAt: row.published_at?.toISOString() ?? null,
});
