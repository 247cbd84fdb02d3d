import { describe, expect, it } from 'vitest';
import type { PipelineDefinition, Step } from '../../../src/domain/pipelines/pipelineDefinition.js';
import { compilePipeline, splitAggregate } from '../../../src/processors/transform/compilePipeline.js';

const aggregate: Step = {
  kind: 'aggregate',
  window: { type: 'tumbling', sizeMs: 60_000 },
  key: 'customerId',
  measures: [{ name: 'orders', fn: 'count' }],
};
const definitionOf = (steps: Step[]): PipelineDefinition => ({
  source: { topic: 'orders', format: 'json' },
  steps,
  sink: { topic: 'orders.per.minute' },
});

describe('a version with an aggregate step', () => {
  it('splits into the steps that run per record and the aggregate step after them', () => {
    const filter: Step = { kind: 'filter', expr: 'amount > 0' };
    const rename: Step = { kind: 'rename', fields: { cust: 'customerId' } };
    expect(splitAggregate(definitionOf([filter, rename, aggregate]))).toEqual({
      steps: [filter, rename],
      aggregate,
    });
    expect(splitAggregate(definitionOf([aggregate]))).toEqual({ steps: [], aggregate });
    expect(splitAggregate(definitionOf([filter]))).toEqual({ steps: [filter], aggregate: undefined });
  });

  it('compiles to the steps before the aggregate step only, which the aggregate engine then takes', () => {
    const pipeline = compilePipeline(
      definitionOf([
        { kind: 'rename', fields: { cust: 'customerId' } },
        { kind: 'filter', expr: 'amount > 0' },
        aggregate,
      ]),
    );
    const context = { partition: 0, timestamp: 0 };
    expect(pipeline.process({ cust: 'c-1', amount: 5 }, context)).toEqual({ customerId: 'c-1', amount: 5 });
    expect(pipeline.process({ cust: 'c-1', amount: 0 }, context)).toBe(null);
  });
});
