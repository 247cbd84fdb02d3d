import type pg from 'pg';
import type { AlertSeverity } from '../../domain/alerts/alertRule.js';
import { type KeysetPage, keysetClauses, timestampSortKey } from '../keysetPage.js';
import {
  ALERT_HISTORY_COLUMNS,
  ALERT_VIEW,
  type AlertHistoryRow,
  type AlertReadStatus,
  type AlertRow,
} from './alertRow.js';
import { ALERT_RULE_COLUMNS, type AlertRuleRow } from './alertRuleRow.js';
import { readAlert } from './alertsProjection.js';

export const ALERT_RULE_SORT_KEYS = {
  createdAt: timestampSortKey<AlertRuleRow>('created_at', (row) => row.created_at),
};
export const ALERT_SORT_KEYS = {
  firedAt: timestampSortKey<AlertRow>('fired_at', (row) => row.fired_at),
};

export interface AlertRuleFilter {
  pipelineId?: string | null;
  enabled?: boolean | null;
  severity?: AlertSeverity | null;
}

export interface AlertFilter {
  status?: AlertReadStatus | null;
  pipelineId?: string | null;
  severity?: AlertSeverity | null;
}

export const findAlertRule = async (pool: pg.Pool, id: string): Promise<AlertRuleRow | null> => {
  const { rows } = await pool.query<AlertRuleRow>(
    `SELECT ${ALERT_RULE_COLUMNS} FROM alert_rules WHERE id = $1`,
    [id],
  );
  return rows[0] ?? null;
};

/** One page of a list, and how many rows the filter matches on all pages. */
export interface ListPage<Row> {
  rows: Row[];
  totalCount: number;
}

const countOf = async (pool: pg.Pool, sql: string, params: unknown[]) =>
  (await pool.query<{ count: number }>(`SELECT count(*)::int AS count ${sql}`, params)).rows[0]?.count ?? 0;

export const listAlertRules = async (
  pool: pg.Pool,
  filter: AlertRuleFilter,
  page: KeysetPage<keyof typeof ALERT_RULE_SORT_KEYS>,
): Promise<ListPage<AlertRuleRow>> => {
  const { field, direction } = page.orderBy;
  const keyset = keysetClauses(ALERT_RULE_SORT_KEYS[field], direction, page.after, 5);
  const from = `FROM alert_rules WHERE ($1::text IS NULL OR pipeline_id = $1)
    AND ($2::boolean IS NULL OR enabled = $2) AND ($3::text IS NULL OR severity = $3)`;
  const params = [filter.pipelineId ?? null, filter.enabled ?? null, filter.severity ?? null];
  const [list, totalCount] = await Promise.all([
    pool.query<AlertRuleRow>(
      `SELECT ${ALERT_RULE_COLUMNS} ${from} AND ${keyset.where} ORDER BY ${keyset.orderBy} LIMIT $4`,
      [...params, page.limit, ...keyset.params],
    ),
    countOf(pool, from, params),
  ]);
  return { rows: list.rows, totalCount };
};

export const findAlert = async (pool: pg.Pool, id: string): Promise<AlertRow | null> =>
  (await readAlert(pool, id)) ?? null;

export const listAlerts = async (
  pool: pg.Pool,
  filter: AlertFilter,
  page: KeysetPage<keyof typeof ALERT_SORT_KEYS>,
): Promise<ListPage<AlertRow>> => {
  const { field, direction } = page.orderBy;
  const keyset = keysetClauses(ALERT_SORT_KEYS[field], direction, page.after, 5);
  const from = `FROM ${ALERT_VIEW} WHERE ($1::text IS NULL OR status = $1)
    AND ($2::text IS NULL OR pipeline_id = $2) AND ($3::text IS NULL OR severity = $3)`;
  const params = [filter.status ?? null, filter.pipelineId ?? null, filter.severity ?? null];
  const [list, totalCount] = await Promise.all([
    pool.query<AlertRow>(`SELECT * ${from} AND ${keyset.where} ORDER BY ${keyset.orderBy} LIMIT $4`, [
      ...params,
      page.limit,
      ...keyset.params,
    ]),
    countOf(pool, from, params),
  ]);
  return { rows: list.rows, totalCount };
};

/** Every event of an alert, oldest first. */
export const alertHistory = async (pool: pg.Pool, alertId: string): Promise<AlertHistoryRow[]> => {
  const { rows } = await pool.query<AlertHistoryRow>(
    `SELECT ${ALERT_HISTORY_COLUMNS} FROM alert_history WHERE alert_id = $1 ORDER BY position`,
    [alertId],
  );
  return rows;
};
