import { describe, expect, it } from 'vitest';
import { estimateTotal } from '../../../src/projections/runner/applyBatch.js';
import { generationSchemaName, projectionLockKey } from '../../../src/projections/runner/generationNames.js';

describe('generation schemas and lock keys', () => {
  it('names a generation schema after the main schema, the projection and the generation', () => {
    expect(generationSchemaName('tributary', 'pipelines', 1)).toBe('tributary__pipelines_g1');
  });

  it('keeps a name that would pass 63 bytes distinct and within the limit', () => {
    const main = `t_${'x'.repeat(50)}`;
    const first = generationSchemaName(main, 'pipeline_versions', 12);
    const other = generationSchemaName(main, 'pipeline_history', 12);
    expect(first.length).toBeLessThanOrEqual(63);
    expect(first).toMatch(/^t_x+__[0-9a-f]{12}_g12$/);
    expect(first).not.toBe(other);
  });

  it('derives a positive 31-bit lock key per main schema and projection', () => {
    const key = projectionLockKey('tributary', 'pipelines');
    expect(key).toBe(projectionLockKey('tributary', 'pipelines'));
    expect(key).toBeGreaterThanOrEqual(0);
    expect(key).toBeLessThan(2 ** 31);
    expect(projectionLockKey('other', 'pipelines')).not.toBe(key);
  });
});

describe('the total a rebuild will reach', () => {
  it('is the head where positions count events (PostgreSQL)', () => {
    expect(estimateTotal(0, 0, 1_000)).toBe(1_000);
    expect(estimateTotal(400, 400, 1_000)).toBe(1_000);
  });

  it('is estimated from events per position unit where positions are offsets (EventStoreDB)', () => {
    expect(estimateTotal(100, 10_000, 30_000)).toBe(300);
  });
});
