import { describe, expect, it } from 'vitest';
import type { PipelineDefinition } from '../../../src/domain/pipelines/pipelineDefinition.js';
import { compilePipeline } from '../../../src/processors/transform/compilePipeline.js';

const definition = (steps: PipelineDefinition['steps']): PipelineDefinition => ({
  source: { topic: 'orders', format: 'json' },
  steps,
  sink: { topic: 'orders-clean' },
});

describe('compilePipeline with map steps', () => {
  it('renames and drops fields and passes the others through in order', () => {
    const run = compilePipeline(definition([{ kind: 'map', rename: { amt: 'amount' }, drop: ['secret'] }]));
    const out = run({ id: 1, amt: 9.5, secret: 'x', note: null });
    expect(out).toEqual({ id: 1, amount: 9.5, note: null });
    expect(Object.keys(out)).toEqual(['id', 'amount', 'note']);
  });

  it('applies steps in order, each to the output of the one before', () => {
    const run = compilePipeline(
      definition([
        { kind: 'map', rename: { a: 'b' }, drop: [] },
        { kind: 'map', rename: { b: 'c' }, drop: [] },
      ]),
    );
    expect(run({ a: 1 })).toEqual({ c: 1 });
  });

  it('leaves a record without the named fields unchanged and does not mutate its input', () => {
    const run = compilePipeline(definition([{ kind: 'map', rename: { a: 'b' }, drop: ['z'] }]));
    const input = { x: { nested: true } };
    expect(run(input)).toEqual({ x: { nested: true } });
    expect(input).toEqual({ x: { nested: true } });
  });

  it('lets a renamed field replace a field that already had the new name', () => {
    const run = compilePipeline(definition([{ kind: 'map', rename: { a: 'b' }, drop: [] }]));
    expect(run({ a: 1, b: 2 })).toEqual({ b: 2 });
    expect(run({ b: 2, a: 1 })).toEqual({ b: 1 });
  });
});
