import type pg from 'pg';
/** Ascending or descending, as list queries take it. */
export type SortDirection = 'asc' | 'desc';

/** A column a read model's list can be sorted by. */
export interface SortKey<Row> {
  /** The column; trusted SQL, never taken from input. */
  column: string;
  /** Its SQL type, so the cursor's text compares exactly as the column does. */
  type: string;
  /** The row's value in that column as text, for the cursor. */
  cursorValue(row: Row): string;
  /** Whether a value from a cursor (which clients can alter) is one the column's type takes. */
  accepts(value: string): boolean;
}

/** One page of a list: rows after a cursor in a given order. */
export interface KeysetPage<Field extends string> {
  orderBy: { field: Field; direction: SortDirection };
  /** The cursor key (`keyOfRow`) of the last row already seen; null from the start. */
  after: readonly string[] | null;
  /** Rows to read; callers ask for one more than they show, to learn whether more follow. */
  limit: number;
}

/**
 * The ORDER BY of a keyset page and its condition for the rows after the cursor, with the
 * cursor's parameters numbered from `$firstParam`. The id breaks ties, so the order is total
 * and a page boundary never falls between two rows that sort equal: none is skipped or repeated
 * however the rows before the cursor change.
 */
export const keysetClauses = <Row>(
  sort: SortKey<Row>,
  direction: SortDirection,
  after: readonly string[] | null,
  firstParam: number,
) => {
  const order = direction === 'asc' ? 'ASC' : 'DESC';
  const [value, id] = after ?? [];
  const hasCursor = value !== undefined && id !== undefined;
  const comparison = direction === 'asc' ? '>' : '<';
  return {
    where: hasCursor
      ? `(${sort.column}, id) ${comparison} ($${firstParam}::${sort.type}, $${firstParam + 1}::text)`
      : 'true',
    orderBy: `${sort.column} ${order}, id ${order}`,
    params: hasCursor ? [value, id] : [],
  };
};

/** What a cursor holds for `row` in an order by `sort`: its sort value, then its id. */
export const keyOfRow = <Row extends { id: string }>(sort: SortKey<Row>, row: Row): string[] => [
  sort.cursorValue(row),
  row.id,
];

/** Whether `key` could be a cursor key of an order by `sort`, checked before it reaches SQL. */
export const isKeyFor =
  <Row>(sort: SortKey<Row>) =>
  (key: readonly unknown[]): boolean =>
    key.length === 2 && typeof key[0] === 'string' && typeof key[1] === 'string' && sort.accepts(key[0]);

/** `text` as a LIKE pattern that matches it anywhere, its own `%`, `_` and `\` taken literally. */
export const containsPattern = (text: string): string => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/;

/**
 * A timestamptz column. Read-model times come from events as ISO strings with milliseconds,
 * so a JavaScript Date holds them exactly and a cursor built from one compares equal.
 */
export const timestampSortKey = <Row>(column: string, read: (row: Row) => Date): SortKey<Row> => ({
  column,
  type: 'timestamptz',
  cursorValue: (row) => read(row).toISOString(),
  accepts: (value) => ISO_INSTANT.test(value) && !Number.isNaN(Date.parse(value)),
});

export const textSortKey = <Row>(column: string, read: (row: Row) => string): SortKey<Row> => ({
  column,
  type: 'text',
  cursorValue: read,
  accepts: () => true,
});

/**
 * One page of a read model's rows, and how many rows its filter matches in all. `filterSql`
 * uses the parameters `$1..$n` of `filterParams`; the page's own parameters follow them.
 */
export const readKeysetPage = async <Row extends pg.QueryResultRow>(
  pool: pg.Pool,
  options: {
    table: string;
    columns: string;
    filterSql: string;
    filterParams: readonly unknown[];
    sortKey: SortKey<Row>;
    page: KeysetPage<string>;
  },
): Promise<{ rows: Row[]; totalCount: number }> => {
  const { table, columns, filterSql, filterParams, sortKey, page } = options;
  const keyset = keysetClauses(sortKey, page.orderBy.direction, page.after, filterParams.length + 2);
  const [list, count] = await Promise.all([
    pool.query<Row>(
      `SELECT ${columns} FROM ${table} WHERE ${filterSql} AND ${keyset.where}
       ORDER BY ${keyset.orderBy} LIMIT $${filterParams.length + 1}`,
      [...filterParams, page.limit, ...keyset.params],
    ),
    pool.query<{ count: number }>(`SELECT count(*)::int AS count FROM ${table} WHERE ${filterSql}`, [
      ...filterParams,
    ]),
  ]);
  return { rows: list.rows, totalCount: count.rows[0]?.count ?? 0 };
};
