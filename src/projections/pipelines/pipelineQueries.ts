import type pg from 'pg';
import {
  containsPattern,
  type KeysetPage,
  readKeysetPage,
  textSortKey,
  timestampSortKey,
} from '../keysetPage.js';
import {
  PIPELINE_COLUMNS,
  PIPELINE_VERSION_COLUMNS,
  type PipelineRow,
  type PipelineVersionRow,
} from './pipelineRow.js';

export const findPipeline = async (pool: pg.Pool, id: string): Promise<PipelineRow | null> => {
  const { rows } = await pool.query<PipelineRow>(`SELECT ${PIPELINE_COLUMNS} FROM pipelines WHERE id = $1`, [
    id,
  ]);
  return rows[0] ?? null;
};

/** The pipelines with these ids, in no particular order; missing ids are left out. */
export const findPipelines = async (pool: pg.Pool, ids: readonly string[]): Promise<PipelineRow[]> => {
  const { rows } = await pool.query<PipelineRow>(
    `SELECT ${PIPELINE_COLUMNS} FROM pipelines WHERE id = ANY($1::text[])`,
    [ids],
  );
  return rows;
};

/** Every version of these pipelines, by pipeline then version. */
export const findPipelineVersions = async (
  pool: pg.Pool,
  pipelineIds: readonly string[],
): Promise<PipelineVersionRow[]> => {
  const { rows } = await pool.query<PipelineVersionRow>(
    `SELECT ${PIPELINE_VERSION_COLUMNS} FROM pipeline_versions WHERE pipeline_id = ANY($1::text[])
     ORDER BY pipeline_id, version`,
    [pipelineIds],
  );
  return rows;
};

/** The orders a list of pipelines can take; the id breaks ties. */
export const PIPELINE_SORT_KEYS = {
  createdAt: timestampSortKey<PipelineRow>('created_at', (row) => row.created_at),
  updatedAt: timestampSortKey<PipelineRow>('updated_at', (row) => row.updated_at),
  name: textSortKey<PipelineRow>('name', (row) => row.name),
};
export type PipelineSortField = keyof typeof PIPELINE_SORT_KEYS;

export interface PipelineFilter {
  status?: string | null;
  /** Part of the name, in any case, or the whole id. */
  search?: string | null;
}

/** One page of pipelines (`page.limit` rows at most) and how many match the filter in all. */
export const listPipelines = async (
  pool: pg.Pool,
  filter: PipelineFilter,
  page: KeysetPage<PipelineSortField>,
): Promise<{ rows: PipelineRow[]; totalCount: number }> => {
  const filterSql = `($1::text IS NULL OR status = $1)
    AND ($2::text IS NULL OR name ILIKE $2 OR id = $3)`;
  const search = filter.search || null;
  const filterParams = [filter.status ?? null, search && containsPattern(search), search];
  const { rows, totalCount } = await readKeysetPage<PipelineRow>(pool, {
    table: 'pipelines',
    columns: PIPELINE_COLUMNS,
    filterSql,
    filterParams,
    sortKey: PIPELINE_SORT_KEYS[page.orderBy.field],
    page,
  });
  return { rows, totalCount };
};

/** Active pipelines, for processors that (re)start and must pick up what is already running. */
export const listActivePipelines = async (pool: pg.Pool) => {
  const { rows } = await pool.query<PipelineRow>(
    `SELECT ${PIPELINE_COLUMNS} FROM pipelines WHERE status = 'active'`,
  );
  return rows;
};
