import type pg from 'pg';
import type { Role } from '../../domain/users/roles.js';
import type { UserStatus } from '../../domain/users/userState.js';
import {
  containsPattern,
  type KeysetPage,
  readKeysetPage,
  textSortKey,
  timestampSortKey,
} from '../keysetPage.js';
import { API_KEY_COLUMNS, type ApiKeyRow, USER_COLUMNS, type UserRow } from './userRow.js';

/** The orders a list of users can take. */
export const USER_SORT_KEYS = {
  createdAt: timestampSortKey<UserRow>('created_at', (row) => row.created_at),
  email: textSortKey<UserRow>('email', (row) => row.email),
};
export type UserSortField = keyof typeof USER_SORT_KEYS;

export interface UserFilter {
  role?: Role | null;
  status?: UserStatus | null;
  /** Part of the e-mail address, in any case. */
  search?: string | null;
}

export interface UserList {
  rows: UserRow[];
  /** The keys of the users in `rows`. */
  apiKeys: ApiKeyRow[];
  /** Every user the filter matches, on all pages. */
  totalCount: number;
}

const apiKeysOf = async (pool: pg.Pool, userIds: readonly string[]) => {
  if (userIds.length === 0) return [];
  const { rows } = await pool.query<ApiKeyRow>(
    `SELECT ${API_KEY_COLUMNS} FROM api_keys WHERE user_id = ANY($1) ORDER BY created_at, id`,
    [userIds],
  );
  return rows;
};

export const findUser = async (pool: pg.Pool, id: string) => {
  const { rows } = await pool.query<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE id = $1`, [id]);
  const row = rows[0];
  return row ? { row, apiKeys: await apiKeysOf(pool, [row.id]) } : null;
};

/** Whether any user but `id` exists: the platform is past its first admin. */
export const hasUsersBesides = async (pool: pg.Pool, id: string): Promise<boolean> => {
  const { rows } = await pool.query('SELECT 1 FROM users WHERE id <> $1 LIMIT 1', [id]);
  return rows.length > 0;
};

export const listUsers = async (
  pool: pg.Pool,
  filter: UserFilter,
  page: KeysetPage<UserSortField>,
): Promise<UserList> => {
  const search = filter.search?.trim() ? containsPattern(filter.search.trim()) : null;
  const filterSql = `($1::text IS NULL OR role = $1) AND ($2::text IS NULL OR status = $2)
    AND ($3::text IS NULL OR email ILIKE $3)`;
  const filterParams = [filter.role ?? null, filter.status ?? null, search];
  const { rows, totalCount } = await readKeysetPage<UserRow>(pool, {
    table: 'users',
    columns: USER_COLUMNS,
    filterSql,
    filterParams,
    sortKey: USER_SORT_KEYS[page.orderBy.field],
    page,
  });
  return {
    rows,
    apiKeys: await apiKeysOf(
      pool,
      rows.map((row) => row.id),
    ),
    totalCount,
  };
};
