import { quoteIdentifier } from '../../infra/postgres/postgresPool.js';

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/**
 * A sink table's name as SQL: `orders` or `sales.orders`, each part quoted. The connector's
 * config was validated to this shape already; checked again here because the name enters SQL
 * text, which parameters cannot carry. Throws on anything else.
 */
export const quotedTableName = (table: string): string => {
  const parts = table.split('.');
  if (parts.length > 2 || !parts.every((part) => IDENTIFIER.test(part))) {
    throw new Error(`"${table}" is not a table name: orders or sales.orders`);
  }
  return parts.map(quoteIdentifier).join('.');
};

/** The table's own name, without its schema. */
export const bareTableName = (table: string): string => table.split('.').at(-1) ?? table;
