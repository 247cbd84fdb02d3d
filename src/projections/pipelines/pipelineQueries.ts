import type pg from 'pg';
import { PIPELINE_COLUMNS, type PipelineRow } from './pipelineRow.js';

export const findPipeline = async (pool: pg.Pool, id: string): Promise<PipelineRow | null> => {
  const { rows } = await pool.query<PipelineRow>(`SELECT ${PIPELINE_COLUMNS} FROM pipelines WHERE id = $1`, [
    id,
  ]);
  return rows[0] ?? null;
};

/** Oldest first; `first` is capped so one query cannot read the whole table. */
export const listPipelines = async (pool: pg.Pool, options: { first: number; status?: string | null }) => {
  const { rows } = await pool.query<PipelineRow>(
    `SELECT ${PIPELINE_COLUMNS} FROM pipelines WHERE ($2::text IS NULL OR status = $2)
     ORDER BY created_at, id LIMIT $1`,
    [Math.min(Math.max(options.first, 0), 500), options.status ?? null],
  );
  return rows;
};

/** Active pipelines, for processors that (re)start and must pick up what is already running. */
export const listActivePipelines = async (pool: pg.Pool) => {
  const { rows } = await pool.query<PipelineRow>(
    `SELECT ${PIPELINE_COLUMNS} FROM pipelines WHERE status = 'active'`,
  );
  return rows;
};
