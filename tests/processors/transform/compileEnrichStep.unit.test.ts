import type { Redis } from 'ioredis';
import type { Pool } from 'pg';
import { describe, expect, it } from 'vitest';
import type { EnrichStep } from '../../../src/domain/pipelines/pipelineDefinition.js';
import { StepFailure } from '../../../src/processors/transform/compilePipeline.js';
import { at, pipelineOf } from './pipelineOf.js';

// A stand-in for ioredis' get, so these tests stay pure; the real stores run in the .int tests.
const fakeRedis = (values: Record<string, string>, calls: string[] = []) =>
  ({
    get: async (key: string) => {
      calls.push(key);
      return values[key] ?? null;
    },
  }) as unknown as Redis;

const enrich = (overrides: Partial<EnrichStep> = {}): EnrichStep => ({
  kind: 'enrich',
  lookup: { redis: { keyPrefix: 'customer:' } },
  key: 'customerId',
  into: 'customer',
  cacheTtlMs: 60_000,
  onMissing: 'null',
  ...overrides,
});

describe('an enrich step', () => {
  it('makes the pipeline async, and answers a cache hit without a promise', async () => {
    const calls: string[] = [];
    const pipeline = pipelineOf([enrich(), { kind: 'rename', fields: { customer: 'c' } }], {
      redis: fakeRedis({ 'customer:7': '{"name":"Ada"}' }, calls),
    });
    expect(pipeline.async).toBe(true);
    const first = pipeline.process({ customerId: 7 }, at());
    expect(first).toBeInstanceOf(Promise);
    expect(await first).toEqual({ customerId: 7, c: { name: 'Ada' } });
    const second = pipeline.process({ customerId: 7 }, at());
    expect(second).toEqual({ customerId: 7, c: { name: 'Ada' } });
    expect(calls).toEqual(['customer:7']);
  });

  it('gives every record its own copy of a cached value', async () => {
    const pipeline = pipelineOf([enrich()], { redis: fakeRedis({ 'customer:7': '{"tags":[]}' }) });
    const first = (await pipeline.process({ customerId: 7 }, at())) as { customer: { tags: string[] } };
    first.customer.tags.push('x');
    expect(pipeline.process({ customerId: 7 }, at())).toEqual({ customerId: 7, customer: { tags: [] } });
  });

  it('does what onMissing says when nothing is found, or the key is null', async () => {
    const redis = fakeRedis({});
    expect(await pipelineOf([enrich()], { redis }).process({ customerId: 1 }, at())).toEqual({
      customerId: 1,
      customer: null,
    });
    expect(
      await pipelineOf([enrich({ onMissing: 'skip' })], { redis }).process({ customerId: 1 }, at()),
    ).toEqual({ customerId: 1 });
    await expect(
      pipelineOf([enrich({ onMissing: 'fail' })], { redis }).process({ customerId: 1 }, at()),
    ).rejects.toMatchObject({ message: 'steps[0] enrich: nothing found for key "1"', retryable: false });
    expect(pipelineOf([enrich()], { redis }).process({ customerId: null }, at())).toEqual({
      customerId: null,
      customer: null,
    });
  });

  it('fails a record whose key expression errs, synchronously and not retryable', () => {
    const pipeline = pipelineOf([enrich()], { redis: fakeRedis({}) });
    expect(() => pipeline.process({}, at())).toThrow(
      new StepFailure({ index: 0, kind: 'enrich' }, 'key customerId: Unknown variable: customerId'),
    );
  });

  it('fails a stored value that is not JSON, not retryable', async () => {
    const pipeline = pipelineOf([enrich()], { redis: fakeRedis({ 'customer:1': 'not json' }) });
    await expect(pipeline.process({ customerId: 1 }, at())).rejects.toMatchObject({
      message: 'steps[0] enrich: the value for key "1" is not JSON',
      retryable: false,
    });
  });

  it('fails a record as retryable when the store errs, with the steps after it not run', async () => {
    const redis = { get: async () => Promise.reject(new Error('connect ECONNREFUSED')) } as unknown as Redis;
    const pipeline = pipelineOf([{ kind: 'filter', expr: 'true' }, enrich()], { redis });
    await expect(pipeline.process({ customerId: 1 }, at())).rejects.toMatchObject({
      message: 'steps[1] enrich: lookup of key "1" failed: connect ECONNREFUSED',
      stepIndex: 1,
      retryable: true,
    });
  });

  it('runs the steps after it on the looked-up record, and drops as they say', async () => {
    const pipeline = pipelineOf([enrich(), { kind: 'filter', expr: 'customer.name == "Ada"' }], {
      redis: fakeRedis({ 'customer:1': '{"name":"Ada"}', 'customer:2': '{"name":"Bob"}' }),
    });
    expect(await pipeline.process({ customerId: 1 }, at())).toEqual({
      customerId: 1,
      customer: { name: 'Ada' },
    });
    expect(await pipeline.process({ customerId: 2 }, at())).toBe(null);
  });

  it('asks PostgreSQL with quoted identifiers and the key as a parameter', async () => {
    const queries: { text: string; values: unknown[] }[] = [];
    const pool = {
      query: async (query: { text: string; values: unknown[] }) => {
        queries.push(query);
        return { rows: [{ found: '{"id":"k","tier":"gold"}' }] };
      },
    } as unknown as Pool;
    const pipeline = pipelineOf(
      [enrich({ lookup: { postgres: { table: 'Customers"; drop', keyColumn: 'id' } }, key: 'ref' })],
      { pool },
    );
    expect(await pipeline.process({ ref: "k' or 1=1" }, at())).toMatchObject({ customer: { tier: 'gold' } });
    expect(queries).toEqual([
      {
        text: 'SELECT row_to_json(t)::text AS found FROM "Customers""; drop" t WHERE "id" = $1 LIMIT 1',
        values: ["k' or 1=1"],
      },
    ]);
  });
});
