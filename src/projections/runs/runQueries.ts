import type pg from 'pg';
import { keysetClauses, timestampSortKey } from '../keysetPage.js';
import { RUN_COLUMNS, type RunRow } from './runRow.js';

/** Runs are listed newest request first; the id breaks ties. */
export const RUN_SORT_KEY = timestampSortKey<RunRow>('requested_at', (row) => row.requested_at);

/** A page of runs: after the run whose cursor key (request time, id) is `after`, `limit` rows at most. */
export interface RunPage {
  after: readonly string[] | null;
  limit: number;
}

export interface RunFilter {
  pipelineId?: string | null;
  status?: string | null;
}

export const findRun = async (pool: pg.Pool, id: string): Promise<RunRow | null> => {
  const { rows } = await pool.query<RunRow>(`SELECT ${RUN_COLUMNS} FROM runs WHERE id = $1`, [id]);
  return rows[0] ?? null;
};

/** One page of runs, newest first, and how many match the filter in all. */
export const listRuns = async (
  pool: pg.Pool,
  filter: RunFilter,
  page: RunPage,
): Promise<{ rows: RunRow[]; totalCount: number }> => {
  const filterSql = '($1::text IS NULL OR pipeline_id = $1) AND ($2::text IS NULL OR status = $2)';
  const filterParams = [filter.pipelineId ?? null, filter.status ?? null];
  const keyset = keysetClauses(RUN_SORT_KEY, 'desc', page.after, 4);
  const [list, count] = await Promise.all([
    pool.query<RunRow>(
      `SELECT ${RUN_COLUMNS} FROM runs WHERE ${filterSql} AND ${keyset.where}
       ORDER BY ${keyset.orderBy} LIMIT $3`,
      [...filterParams, page.limit, ...keyset.params],
    ),
    pool.query<{ count: number }>(`SELECT count(*)::int AS count FROM runs WHERE ${filterSql}`, filterParams),
  ]);
  return { rows: list.rows, totalCount: count.rows[0]?.count ?? 0 };
};

/** One pipeline's page of runs; `until` (an ISO instant) leaves out runs requested later. */
export interface PipelineRunsRequest extends RunPage {
  pipelineId: string;
  until: string | null;
}

/**
 * Pages of runs of many pipelines in one query, with each pipeline's total, in the order of
 * `requests`: what lets a list of pipelines show their runs without a query per pipeline.
 */
export const listRunsOfPipelines = async (
  pool: pg.Pool,
  requests: readonly PipelineRunsRequest[],
): Promise<{ rows: RunRow[]; totalCount: number }[]> => {
  // A pipeline without runs still yields one row, whose run columns are all null.
  const { rows } = await pool.query<RunRow & { idx: number; total: number }>(
    `SELECT k.idx::int AS idx, t.total, r.*
     FROM unnest($1::text[], $2::int[], $3::timestamptz[], $4::text[], $5::timestamptz[])
       WITH ORDINALITY AS k(pipeline_id, lim, after_at, after_id, until, idx)
     CROSS JOIN LATERAL (
       SELECT count(*)::int AS total FROM runs
       WHERE pipeline_id = k.pipeline_id AND (k.until IS NULL OR requested_at <= k.until)
     ) t
     LEFT JOIN LATERAL (
       SELECT ${RUN_COLUMNS} FROM runs
       WHERE pipeline_id = k.pipeline_id
         AND (k.until IS NULL OR requested_at <= k.until)
         AND (k.after_at IS NULL OR (requested_at, id) < (k.after_at, k.after_id))
       ORDER BY requested_at DESC, id DESC LIMIT k.lim
     ) r ON true
     ORDER BY k.idx, r.requested_at DESC, r.id DESC`,
    [
      requests.map((r) => r.pipelineId),
      requests.map((r) => r.limit),
      requests.map((r) => r.after?.[0] ?? null),
      requests.map((r) => r.after?.[1] ?? null),
      requests.map((r) => r.until),
    ],
  );
  const pages = requests.map(() => ({ rows: [] as RunRow[], totalCount: 0 }));
  for (const { idx, total, ...run } of rows) {
    const page = pages[idx - 1];
    if (!page) continue;
    page.totalCount = total;
    if (run.id !== null) page.rows.push(run);
  }
  return pages;
};
