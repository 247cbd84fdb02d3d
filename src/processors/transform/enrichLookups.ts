import type { Redis } from 'ioredis';
import type { Pool } from 'pg';
import type { EnrichLookup } from '../../domain/pipelines/pipelineDefinition.js';
import { quoteIdentifier } from '../../infra/postgres/postgresPool.js';
import type { LookupResult } from './lookupCache.js';

/** Reads one key from the store: JSON text, or null when there is nothing. Rejects on I/O errors. */
export type Lookup = (key: string) => Promise<LookupResult>;

/** What an enrich step may look things up in; the processor owns these clients and closes them. */
export interface TransformDependencies {
  redis?: Redis;
  pool?: Pool;
}

/** A lookup error that retrying will not fix (the key does not fit the column's type). */
export class LookupDataError extends Error {}

// SQLSTATE class 22 is "data exception": the key cannot be compared with the column.
const isDataException = (error: unknown): boolean =>
  typeof (error as { code?: unknown }).code === 'string' && (error as { code: string }).code.startsWith('22');

export const createLookup = (lookup: EnrichLookup, dependencies: TransformDependencies): Lookup => {
  if ('redis' in lookup) {
    const { redis } = dependencies;
    if (redis === undefined) throw new Error('an enrich step looks up Redis, but no Redis client was given');
    const { keyPrefix } = lookup.redis;
    return (key) => redis.get(`${keyPrefix}${key}`);
  }
  const { pool } = dependencies;
  if (pool === undefined) throw new Error('an enrich step looks up PostgreSQL, but no pool was given');
  // Identifiers are quoted, the key is a parameter: nothing from a record reaches the SQL text.
  // The table is read in the pool's search_path (the platform's schema) unless it names its
  // schema (`crm.regions`, each part an identifier the domain checked). `keyColumn` should be
  // unique; when it is not, one matching row is taken.
  const { table, keyColumn } = lookup.postgres;
  const qualified = table.split('.').map(quoteIdentifier).join('.');
  const text =
    `SELECT row_to_json(t)::text AS found FROM ${qualified} t ` +
    `WHERE ${quoteIdentifier(keyColumn)} = $1 LIMIT 1`;
  return async (key) => {
    try {
      const { rows } = await pool.query<{ found: string }>({ text, values: [key] });
      return rows[0]?.found ?? null;
    } catch (error) {
      if (isDataException(error)) throw new LookupDataError((error as Error).message, { cause: error });
      throw error;
    }
  };
};
