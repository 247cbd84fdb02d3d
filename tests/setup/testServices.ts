import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';

// Lives here rather than in testServices.d.ts: beside a testServices.ts, TypeScript ignores that file.
export interface TestServices {
  /** A PostgreSQL database URL; each test file creates its own schema in it. */
  databaseUrl: string;
  redisUrl: string;
  /** host:port of a real Apache Kafka broker. */
  kafkaBrokers: string[];
}

declare module 'vitest' {
  export interface ProvidedContext {
    services: TestServices;
  }
}

/** The services tests/setup/globalSetup.ts found or started for this run. */
export function testServices(): TestServices {
  return inject('services');
}

/** A schema name no other test file uses, like `t_orders_3f9a1c0b`; the adapter under test creates it. */
export function createTestSchema(prefix: string): string {
  return `t_${slug(prefix, '_')}_${randomBytes(4).toString('hex')}`;
}

export async function dropTestSchema(databaseUrl: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    // The projection runner keeps each read model in schemas named `<schema>__<projection>_g<N>`.
    const { rows } = await client.query<{ name: string }>(
      `select nspname as name from pg_namespace where nspname = $1 or starts_with(nspname, $1 || '__')`,
      [schema],
    );
    for (const { name } of rows)
      await client.query(`drop schema if exists ${client.escapeIdentifier(name)} cascade`);
  } finally {
    await client.end();
  }
}

export function uniqueTopic(prefix: string): string {
  return `${slug(prefix, '-')}-${randomBytes(4).toString('hex')}`;
}

// Keeps names valid as unquoted PostgreSQL identifiers and Kafka topics, and under their length limits.
function slug(prefix: string, separator: string): string {
  return prefix
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, separator)
    .slice(0, 40);
}
