import pg from 'pg';

// int8 (global positions, offsets, revisions) arrives as a string by default. Every number we
// store in int8 stays far below 2^53, so parsing to a JS number is exact and keeps the ports simple.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number.parseInt(value, 10));

export interface PostgresPoolOptions {
  connectionString: string;
  /** Every table of this process lives in this schema; tests give each file its own. */
  schema: string;
  max?: number;
  applicationName?: string;
  /**
   * An idle connection the server ended (a restart, a shutdown, an administrator): the pool
   * drops it and opens another when needed. Without a listener Node would crash the process.
   */
  onIdleError?: (error: Error) => void;
}

/**
 * A pool whose connections all use `schema` as their search_path, so SQL stays unqualified and
 * one database can hold several isolated Tributary instances (one per test file).
 */
export const createPostgresPool = (options: PostgresPoolOptions): pg.Pool => {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.max ?? 10,
    application_name: options.applicationName ?? 'tributary',
    options: `-c search_path=${quoteIdentifier(options.schema)},public`,
  });
  pool.on('error', options.onIdleError ?? (() => undefined));
  return pool;
};

export const quoteIdentifier = (name: string): string => `"${name.replaceAll('"', '""')}"`;
