import { createServer } from 'node:net';
import { Redis } from 'ioredis';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EnrichStep } from '../../../src/domain/pipelines/pipelineDefinition.js';
import { createPostgresPool } from '../../../src/infra/postgres/postgresPool.js';
import { compileEnrichStep } from '../../../src/processors/transform/compileEnrichStep.js';
import { StepFailure } from '../../../src/processors/transform/compilePipeline.js';
import { createTestSchema, dropTestSchema, testServices, uniqueTopic } from '../../setup/testServices.js';
import { at, pipelineOf } from './pipelineOf.js';

const { databaseUrl, redisUrl } = testServices();
const schema = createTestSchema('enrich');
const prefix = `${uniqueTopic('enrich')}:`;
let redis: Redis;
let pool: pg.Pool;

const enrich = (lookup: EnrichStep['lookup'], overrides: Partial<EnrichStep> = {}): EnrichStep => ({
  kind: 'enrich',
  lookup,
  key: 'customerId',
  into: 'customer',
  cacheTtlMs: 60_000,
  onMissing: 'null',
  ...overrides,
});

/** A port nothing listens on: bound, then closed. */
const closedPort = async (): Promise<number> => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
};

const rejection = async (work: unknown): Promise<StepFailure> => {
  try {
    await work;
  } catch (error) {
    expect(error).toBeInstanceOf(StepFailure);
    return error as StepFailure;
  }
  throw new Error('expected a StepFailure');
};

beforeAll(async () => {
  redis = new Redis(redisUrl);
  pool = createPostgresPool({ connectionString: databaseUrl, schema });
  await pool.query(`CREATE SCHEMA ${schema}`);
  await pool.query(`CREATE TABLE "Customers" (id int PRIMARY KEY, name text, "tier level" text)`);
  await pool.query(`INSERT INTO "Customers" VALUES (1, 'Ada', 'gold'), (2, 'Bob', NULL)`);
});

afterAll(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
  await pool.end();
  await dropTestSchema(databaseUrl, schema);
});

describe('an enrich step on Redis', () => {
  const lookup = { redis: { keyPrefix: prefix } };

  it('puts the JSON at <prefix><key> into the record', async () => {
    await redis.set(`${prefix}7`, '{"name":"Ada","vip":true}');
    const pipeline = pipelineOf([enrich(lookup)], { redis });
    expect(await pipeline.process({ customerId: 7, amount: 1 }, at())).toEqual({
      customerId: 7,
      amount: 1,
      customer: { name: 'Ada', vip: true },
    });
  });

  it('answers from its cache within the TTL: a changed stored value is not seen', async () => {
    await redis.set(`${prefix}c1`, '{"v":1}');
    const pipeline = pipelineOf([enrich(lookup, { cacheTtlMs: 60_000 })], { redis });
    expect(await pipeline.process({ customerId: 'c1' }, at())).toMatchObject({ customer: { v: 1 } });
    await redis.set(`${prefix}c1`, '{"v":2}');
    expect(pipeline.process({ customerId: 'c1' }, at())).toMatchObject({ customer: { v: 1 } });
    const fresh = pipelineOf([enrich(lookup, { cacheTtlMs: 60_000 })], { redis });
    expect(await fresh.process({ customerId: 'c1' }, at())).toMatchObject({ customer: { v: 2 } });
  });

  it('reads the store again once the TTL has passed, and every time with a TTL of 0', async () => {
    await redis.set(`${prefix}c2`, '{"v":1}');
    let time = 0;
    const step = compileEnrichStep(
      enrich(lookup, { cacheTtlMs: 1000 }),
      { index: 0, kind: 'enrich' },
      { redis },
      { now: () => time },
    );
    expect(await step.run({ customerId: 'c2' }, at())).toMatchObject({ customer: { v: 1 } });
    await redis.set(`${prefix}c2`, '{"v":2}');
    time = 1000;
    expect(await step.run({ customerId: 'c2' }, at())).toMatchObject({ customer: { v: 2 } });

    const uncached = pipelineOf([enrich(lookup, { cacheTtlMs: 0 })], { redis });
    expect(await uncached.process({ customerId: 'c2' }, at())).toMatchObject({ customer: { v: 2 } });
    await redis.set(`${prefix}c2`, '{"v":3}');
    expect(await uncached.process({ customerId: 'c2' }, at())).toMatchObject({ customer: { v: 3 } });
  });

  it('sends one GET for concurrent misses of one key', async () => {
    await redis.set(`${prefix}c3`, '{"v":1}');
    const monitor = await redis.monitor();
    const gets: string[] = [];
    monitor.on('monitor', (_time: string, args: string[]) => {
      if (args[0]?.toLowerCase() === 'get' && args[1] === `${prefix}c3`) gets.push(args[1]);
    });
    const pipeline = pipelineOf([enrich(lookup)], { redis });
    const records = await Promise.all(
      Array.from({ length: 20 }, () => pipeline.process({ customerId: 'c3' }, at())),
    );
    expect(records).toEqual(Array.from({ length: 20 }, () => ({ customerId: 'c3', customer: { v: 1 } })));
    await redis.ping();
    await new Promise((resolve) => setTimeout(resolve, 50));
    monitor.disconnect();
    expect(gets).toHaveLength(1);
  });

  it('fails a record as retryable when Redis cannot be reached', async () => {
    const down = new Redis({ port: await closedPort(), enableOfflineQueue: false, lazyConnect: true });
    down.on('error', () => undefined);
    const pipeline = pipelineOf([enrich(lookup)], { redis: down });
    const failure = await rejection(pipeline.process({ customerId: 1 }, at()));
    expect(failure).toMatchObject({ stepIndex: 0, stepKind: 'enrich', retryable: true });
    expect(failure.message).toMatch(/^steps\[0\] enrich: lookup of key "1" failed: /);
    down.disconnect();
  });

  it('fails a record as retryable when Redis does not answer in time', async () => {
    // The default client queues commands while it reconnects: only the step's timeout ends the wait.
    const down = new Redis({ port: await closedPort() });
    down.on('error', () => undefined);
    const step = compileEnrichStep(
      enrich(lookup),
      { index: 3, kind: 'enrich' },
      { redis: down },
      { timeoutMs: 200 },
    );
    const failure = await rejection(step.run({ customerId: 1 }, at()));
    expect(failure).toMatchObject({
      message: 'steps[3] enrich: lookup of key "1" failed: no answer within 200 ms',
      retryable: true,
    });
    down.disconnect();
  });
});

describe('an enrich step on PostgreSQL', () => {
  const lookup = { postgres: { table: 'Customers', keyColumn: 'id' } };

  it('puts the row whose key column equals the key into the record, as a JSON object', async () => {
    const pipeline = pipelineOf([enrich(lookup)], { pool });
    expect(await pipeline.process({ customerId: 1 }, at())).toEqual({
      customerId: 1,
      customer: { id: 1, name: 'Ada', 'tier level': 'gold' },
    });
    expect(await pipeline.process({ customerId: '2' }, at())).toMatchObject({ customer: { name: 'Bob' } });
  });

  it('does what onMissing says for a key no row has', async () => {
    expect(
      await pipelineOf([enrich(lookup, { onMissing: 'skip' })], { pool }).process({ customerId: 9 }, at()),
    ).toEqual({
      customerId: 9,
    });
    const failure = await rejection(
      pipelineOf([enrich(lookup, { onMissing: 'fail' })], { pool }).process({ customerId: 9 }, at()),
    );
    expect(failure).toMatchObject({
      message: 'steps[0] enrich: nothing found for key "9"',
      retryable: false,
    });
  });

  it('answers from its cache within the TTL: a changed row is not seen', async () => {
    await pool.query(`INSERT INTO "Customers" VALUES (3, 'Cy', 'silver')`);
    const pipeline = pipelineOf([enrich(lookup)], { pool });
    expect(await pipeline.process({ customerId: 3 }, at())).toMatchObject({ customer: { name: 'Cy' } });
    await pool.query(`UPDATE "Customers" SET name = 'Changed' WHERE id = 3`);
    expect(pipeline.process({ customerId: 3 }, at())).toMatchObject({ customer: { name: 'Cy' } });
  });

  it('fails a key that cannot be compared with the column as a data error, not retried', async () => {
    const failure = await rejection(
      pipelineOf([enrich(lookup)], { pool }).process({ customerId: 'abc' }, at()),
    );
    expect(failure.retryable).toBe(false);
    expect(failure.message).toMatch(/^steps\[0\] enrich: lookup of key "abc" failed: invalid input syntax/);
  });

  it('never lets a key reach the SQL text', async () => {
    const pipeline = pipelineOf(
      [enrich(lookup, { lookup: { postgres: { table: 'Customers', keyColumn: 'name' } }, key: 'n' })],
      {
        pool,
      },
    );
    expect(await pipeline.process({ n: "x' OR '1'='1" }, at())).toMatchObject({ customer: null });
  });

  it('fails a record as retryable when PostgreSQL cannot be reached', async () => {
    const down = createPostgresPool({
      connectionString: `postgres://postgres@127.0.0.1:${await closedPort()}/test`,
      schema,
    });
    const failure = await rejection(
      pipelineOf([enrich(lookup)], { pool: down }).process({ customerId: 1 }, at()),
    );
    expect(failure).toMatchObject({ retryable: true, stepKind: 'enrich' });
    expect(failure.message).toMatch(/ECONNREFUSED/);
    await down.end();
  });
});
