import { describe, expect, it } from 'vitest';
import type { Step } from '../../../src/domain/pipelines/pipelineDefinition.js';
import { StepFailure } from '../../../src/processors/transform/compilePipeline.js';
import { at, failureOf, pipelineOf, runSync } from './pipelineOf.js';

describe('compilePipeline', () => {
  it('applies steps in order, each to the output of the one before', () => {
    const pipeline = pipelineOf([
      { kind: 'map', rename: { a: 'b' }, drop: [] },
      { kind: 'rename', fields: { b: 'c' } },
      { kind: 'drop', fields: ['z'] },
    ]);
    expect(runSync(pipeline, { a: 1, z: 2 })).toEqual({ c: 1 });
  });

  it('answers synchronously, with async false, when no step does I/O', () => {
    const pipeline = pipelineOf([
      { kind: 'filter', expr: 'amount > 10' },
      { kind: 'map', rename: {}, drop: [], set: { cents: 'amount * 100' } },
      { kind: 'cast', fields: { cents: 'long' } },
      { kind: 'default', values: { currency: 'EUR' } },
      { kind: 'dedupe', key: 'id', withinMs: 1000 },
      { kind: 'validate', schema: '{"type":"record","name":"R","fields":[{"name":"id","type":"string"}]}' },
    ]);
    expect(pipeline.async).toBe(false);
    const out = pipeline.process({ id: 'o-1', amount: 12.5 }, at());
    expect(out).not.toBeInstanceOf(Promise);
    expect(out).toEqual({ id: 'o-1', amount: 12.5, cents: 1250, currency: 'EUR' });
  });

  it('returns null at the first step that drops the record, without running the rest', () => {
    const pipeline = pipelineOf([
      { kind: 'filter', expr: 'amount > 10' },
      { kind: 'cast', fields: { code: 'int' } },
    ]);
    expect(runSync(pipeline, { amount: 5, code: 'not even a number' })).toBe(null);
  });

  it('never mutates the record it is given', () => {
    const pipeline = pipelineOf([
      { kind: 'map', rename: { a: 'b' }, drop: ['z'], set: { s: 'a + 1' } },
      { kind: 'cast', fields: { b: 'string' } },
      { kind: 'default', values: { d: { nested: [1] } } },
      { kind: 'rename', fields: { b: 'c' } },
    ]);
    const input = { a: 1, z: { keep: true } };
    expect(runSync(pipeline, input)).toEqual({ c: '1', s: 2, d: { nested: [1] } });
    expect(input).toEqual({ a: 1, z: { keep: true } });
  });

  it('gives in place what it gives on a copy, each computed field from the record as it came', () => {
    const steps = [
      { kind: 'filter', expr: 'a > 0' },
      { kind: 'map', rename: {}, drop: [], set: { a: 'b + 1', b: 'a + 1' } },
      { kind: 'cast', fields: { b: 'string' } },
      { kind: 'default', values: { d: { nested: [1] } } },
      { kind: 'rename', fields: { a: 'c' } },
    ] as const satisfies Step[];
    const copied = runSync(pipelineOf([...steps]), { a: 1, b: 10 });
    const input = { a: 1, b: 10 };
    const inPlace = pipelineOf([...steps]).processInPlace(input, at());
    expect(copied).toEqual({ c: 11, b: '2', d: { nested: [1] } });
    expect(inPlace).toEqual(copied);
    expect(Object.keys(inPlace ?? {})).toEqual(['c', 'b', 'd']);
  });

  it('runs a version without steps as the identity', () => {
    expect(runSync(pipelineOf([]), { a: 1 })).toEqual({ a: 1 });
  });

  it('throws a StepFailure naming the step index and kind', () => {
    const failure = failureOf(
      pipelineOf([
        { kind: 'rename', fields: { a: 'b' } },
        { kind: 'drop', fields: ['x'] },
        { kind: 'cast', fields: { amount: 'int' } },
      ]),
      { amount: 'abc' },
    );
    expect(failure).toBeInstanceOf(StepFailure);
    expect(failure.message).toBe('steps[2] cast: field "amount": "abc" is not an int');
    expect(failure).toMatchObject({ stepIndex: 2, stepKind: 'cast', retryable: false, field: 'amount' });
  });

  it('refuses to compile an enrich step whose client was not given', () => {
    const enrich = {
      kind: 'enrich' as const,
      key: 'id',
      into: 'x',
      cacheTtlMs: 0,
      onMissing: 'null' as const,
    };
    expect(() => pipelineOf([{ ...enrich, lookup: { redis: { keyPrefix: 'p:' } } }])).toThrow(
      'an enrich step looks up Redis, but no Redis client was given',
    );
    expect(() => pipelineOf([{ ...enrich, lookup: { postgres: { table: 't', keyColumn: 'id' } } }])).toThrow(
      'an enrich step looks up PostgreSQL, but no pool was given',
    );
  });

  it('forgets dedupe state on close', async () => {
    const pipeline = pipelineOf([{ kind: 'dedupe', key: 'id', withinMs: 1000 }]);
    expect(runSync(pipeline, { id: 1 })).toEqual({ id: 1 });
    expect(runSync(pipeline, { id: 1 })).toBe(null);
    await pipeline.close();
    expect(runSync(pipeline, { id: 1 })).toEqual({ id: 1 });
  });
});
