import { describe, expect, it } from 'vitest';
import { pipelineDecider } from '../../../src/domain/pipelines/pipeline.js';
import type { PipelineDefinition } from '../../../src/domain/pipelines/pipelineDefinition.js';
import { given } from '../deciderSpec.js';
import { create, definition, problemsOfSteps } from './pipelineFixtures.js';

const DAY = 86_400_000;
const dedupe = (parts: Record<string, unknown> = {}) => ({
  kind: 'dedupe',
  key: 'orderId',
  withinMs: 60_000,
  ...parts,
});
const enrich = (parts: Record<string, unknown> = {}) => ({
  kind: 'enrich',
  lookup: { redis: { keyPrefix: 'customer:' } },
  key: 'customerId',
  into: 'customer',
  cacheTtlMs: 30_000,
  onMissing: 'null',
  ...parts,
});

describe('dedupe steps', () => {
  it('accepts a key of any type and a window from 1 ms to 7 days', () => {
    for (const key of ['orderId', 'customer.id + ":" + string(day)', 'size(items)', '[a, b]']) {
      expect(problemsOfSteps(dedupe({ key })), key).toEqual([]);
    }
    expect(problemsOfSteps(dedupe({ withinMs: 1 }), dedupe({ withinMs: 7 * DAY }))).toEqual([]);
  });

  it('rejects a broken key expression at the key, with the parser message', () => {
    expect(problemsOfSteps(dedupe({ key: 'order.' }))).toEqual([
      { path: 'steps[0].key', message: expect.stringMatching(/^Unexpected token: EOF|^Expected/) },
    ]);
    expect(problemsOfSteps(dedupe({ key: '' }))).toEqual([
      { path: 'steps[0].key', message: 'must be a CEL expression, such as orderId' },
    ]);
  });

  it('rejects a window that is not a whole number of ms from 1 to 7 days', () => {
    for (const withinMs of [0, -5, 1.5, 7 * DAY + 1, '60000', undefined]) {
      expect(problemsOfSteps(dedupe({ withinMs })), String(withinMs)).toEqual([
        {
          path: 'steps[0].withinMs',
          message: 'must be a whole number of milliseconds from 1 to 604800000 (7 days)',
        },
      ]);
    }
  });
});

describe('enrich steps', () => {
  it('accepts a Redis lookup, and a PostgreSQL one by table or schema.table', () => {
    expect(
      problemsOfSteps(
        enrich(),
        enrich({
          lookup: { postgres: { table: 'customers', keyColumn: 'id' } },
          onMissing: 'skip',
          cacheTtlMs: 0,
        }),
        enrich({ lookup: { postgres: { table: 'crm.Customers_2', keyColumn: '_key' } }, onMissing: 'fail' }),
        enrich({ cacheTtlMs: DAY }),
      ),
    ).toEqual([]);
  });

  it('rejects a lookup that is neither or both kinds', () => {
    for (const lookup of [
      {},
      undefined,
      { redis: { keyPrefix: 'c:' }, postgres: { table: 't', keyColumn: 'k' } },
    ]) {
      expect(problemsOfSteps(enrich({ lookup }))).toEqual([
        { path: 'steps[0].lookup', message: 'set exactly one lookup: redis or postgres' },
      ]);
    }
  });

  it('rejects table and column names that are not plain identifiers, so none can smuggle SQL', () => {
    expect(
      problemsOfSteps(
        enrich({ lookup: { postgres: { table: 'customers; DROP TABLE x', keyColumn: '1id' } } }),
      ),
    ).toEqual([
      {
        path: 'steps[0].lookup.postgres.table',
        message:
          'must be a table or schema.table; each must be a letter or _, then up to 62 letters, digits or _',
      },
      {
        path: 'steps[0].lookup.postgres.keyColumn',
        message: 'must be a letter or _, then up to 62 letters, digits or _',
      },
    ]);
    for (const table of ['a.b.c', '.t', 'x'.repeat(64), '"quoted"']) {
      expect(
        problemsOfSteps(enrich({ lookup: { postgres: { table, keyColumn: 'id' } } })).map((p) => p.path),
      ).toEqual(['steps[0].lookup.postgres.table']);
    }
  });

  it('rejects an empty or overlong Redis key prefix', () => {
    for (const keyPrefix of ['', 'k'.repeat(257), 5]) {
      expect(problemsOfSteps(enrich({ lookup: { redis: { keyPrefix } } }))).toEqual([
        { path: 'steps[0].lookup.redis.keyPrefix', message: 'must be 1 to 256 characters' },
      ]);
    }
  });

  it('rejects every other bad field at its own path', () => {
    const bad = enrich({
      key: 'customerId +',
      into: 'the customer',
      cacheTtlMs: DAY + 1,
      onMissing: 'ignore',
    });
    expect(problemsOfSteps(bad)).toEqual([
      { path: 'steps[0].key', message: expect.any(String) },
      { path: 'steps[0].into', message: 'must be a field name without spaces' },
      {
        path: 'steps[0].cacheTtlMs',
        message: 'must be a whole number of milliseconds from 0 (no cache) to 86400000 (a day)',
      },
      { path: 'steps[0].onMissing', message: 'must be one of: null, skip, fail' },
    ]);
    given(pipelineDecider, [])
      .when(create({ definition: { ...definition, steps: [bad] } as PipelineDefinition }))
      .thenThrows('VALIDATION_FAILED', [
        'steps[0].key',
        'steps[0].into',
        'steps[0].cacheTtlMs',
        'steps[0].onMissing',
      ]);
  });
});
