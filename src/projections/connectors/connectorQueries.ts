import type pg from 'pg';
import type { ConnectorDirection, ConnectorKind } from '../../domain/connectors/connectorConfig.js';
import { type KeysetPage, readKeysetPage, textSortKey, timestampSortKey } from '../keysetPage.js';
import { CONNECTOR_COLUMNS, type ConnectorRow } from './connectorRow.js';

/** The orders a list of connectors can take. */
export const CONNECTOR_SORT_KEYS = {
  createdAt: timestampSortKey<ConnectorRow>('created_at', (row) => row.created_at),
  name: textSortKey<ConnectorRow>('name', (row) => row.name),
};
export type ConnectorSortField = keyof typeof CONNECTOR_SORT_KEYS;

export interface ConnectorFilter {
  kind?: ConnectorKind | null;
  direction?: ConnectorDirection | null;
  /** Deleted connectors are left out unless this is true. */
  includeDeleted?: boolean | null;
}

/** The connector with this id, deleted or not. */
export const findConnector = async (pool: pg.Pool, id: string): Promise<ConnectorRow | null> => {
  const { rows } = await pool.query<ConnectorRow>(
    `SELECT ${CONNECTOR_COLUMNS} FROM connectors WHERE id = $1`,
    [id],
  );
  return rows[0] ?? null;
};

export const listConnectors = async (
  pool: pg.Pool,
  filter: ConnectorFilter,
  page: KeysetPage<ConnectorSortField>,
): Promise<{ rows: ConnectorRow[]; totalCount: number }> => {
  const filterSql = `($1::text IS NULL OR kind = $1) AND ($2::text IS NULL OR direction = $2)
    AND ($3 OR NOT deleted)`;
  const filterParams = [filter.kind ?? null, filter.direction ?? null, filter.includeDeleted === true];
  const { rows, totalCount } = await readKeysetPage<ConnectorRow>(pool, {
    table: 'connectors',
    columns: CONNECTOR_COLUMNS,
    filterSql,
    filterParams,
    sortKey: CONNECTOR_SORT_KEYS[page.orderBy.field],
    page,
  });
  return { rows, totalCount };
};
