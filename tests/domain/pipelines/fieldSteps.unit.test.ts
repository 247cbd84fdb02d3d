import { describe, expect, it } from 'vitest';
import { CAST_TYPES } from '../../../src/domain/pipelines/castStep.js';
import { pipelineDecider } from '../../../src/domain/pipelines/pipeline.js';
import type { PipelineDefinition } from '../../../src/domain/pipelines/pipelineDefinition.js';
import { given } from '../deciderSpec.js';
import { create, created, definition, problemsOfSteps, save } from './pipelineFixtures.js';

describe('rename steps', () => {
  it('accepts fields renamed to distinct names', () => {
    expect(problemsOfSteps({ kind: 'rename', fields: { amt: 'amount', cust: 'customerId' } })).toEqual([]);
  });

  it('rejects no rename, a name with spaces and two fields renamed alike, each at its field', () => {
    expect(problemsOfSteps({ kind: 'rename', fields: {} })).toEqual([
      { path: 'steps[0].fields', message: 'must rename at least one field' },
    ]);
    expect(
      problemsOfSteps({ kind: 'rename', fields: { a: 'x', b: 'x', c: 'new name', 'd e': 'f' } }),
    ).toEqual([
      { path: 'steps[0].fields.b', message: 'renames to "x", as "a" already does' },
      { path: 'steps[0].fields.c', message: 'must be a field name without spaces' },
      { path: 'steps[0].fields', message: '"d e" is not a field name' },
    ]);
  });
});

describe('drop steps', () => {
  it('accepts fields to leave out', () => {
    expect(problemsOfSteps({ kind: 'drop', fields: ['card', 'cvv'] })).toEqual([]);
  });

  it('rejects no field, a field that is no name and a field dropped twice', () => {
    expect(problemsOfSteps({ kind: 'drop', fields: [] })).toEqual([
      { path: 'steps[0].fields', message: 'must name at least one field' },
    ]);
    expect(problemsOfSteps({ kind: 'drop', fields: ['card', '', 'card', 7] })).toEqual([
      { path: 'steps[0].fields[1]', message: 'must be a field name without spaces' },
      { path: 'steps[0].fields[2]', message: '"card" is dropped twice' },
      { path: 'steps[0].fields[3]', message: 'must be a field name without spaces' },
    ]);
  });
});

describe('cast steps', () => {
  it('accepts a cast to every type of the list', () => {
    const fields = Object.fromEntries(CAST_TYPES.map((type) => [`as_${type}`, type]));
    expect(CAST_TYPES).toEqual(['string', 'int', 'long', 'float', 'double', 'boolean', 'timestamp']);
    expect(problemsOfSteps({ kind: 'cast', fields })).toEqual([]);
  });

  it('rejects a type that is not in the list, naming the field and every type', () => {
    const decimal = { ...definition, steps: [{ kind: 'cast', fields: { amount: 'decimal' } }] };
    expect(problemsOfSteps(...decimal.steps)).toEqual([
      {
        path: 'steps[0].fields.amount',
        message: 'must be one of: string, int, long, float, double, boolean, timestamp',
      },
    ]);
    given(pipelineDecider, [created])
      .when(save(decimal as PipelineDefinition))
      .thenThrows('VALIDATION_FAILED', ['steps[0].fields.amount']);
  });

  it('rejects no field and a field that is no name', () => {
    expect(problemsOfSteps({ kind: 'cast', fields: {} })).toEqual([
      { path: 'steps[0].fields', message: 'must cast at least one field' },
    ]);
    expect(problemsOfSteps({ kind: 'cast', fields: { 'a b': 'int' } })).toEqual([
      { path: 'steps[0].fields', message: '"a b" is not a field name' },
    ]);
  });
});

describe('default steps', () => {
  it('accepts any JSON value, null and nested ones included', () => {
    const values = {
      currency: 'EUR',
      quantity: 1,
      gift: false,
      tags: [],
      address: { country: 'DE' },
      note: null,
    };
    expect(problemsOfSteps({ kind: 'default', values })).toEqual([]);
    const withDefaults: PipelineDefinition = { ...definition, steps: [{ kind: 'default', values }] };
    given(pipelineDecider, [])
      .when(create({ definition: withDefaults }))
      .thenEvents([{ type: 'PipelineCreated', data: { ...created.data, definition: withDefaults } }]);
  });

  it('rejects no value, a field that is no name, and values JSON cannot hold', () => {
    expect(problemsOfSteps({ kind: 'default', values: {} })).toEqual([
      { path: 'steps[0].values', message: 'must give at least one field a default' },
    ]);
    expect(
      problemsOfSteps({
        kind: 'default',
        values: { 'a b': 1, nan: Number.NaN, when: new Date(0), missing: undefined, deep: { f: () => 1 } },
      }),
    ).toEqual([
      { path: 'steps[0].values', message: '"a b" is not a field name' },
      { path: 'steps[0].values.nan', message: 'must be a JSON value' },
      { path: 'steps[0].values.when', message: 'must be a JSON value' },
      { path: 'steps[0].values.missing', message: 'must be a JSON value' },
      { path: 'steps[0].values.deep', message: 'must be a JSON value' },
    ]);
  });

  it('rejects a value over 10 000 characters of JSON, since every record filled carries it', () => {
    expect(problemsOfSteps({ kind: 'default', values: { note: 'x'.repeat(10_000) } })).toEqual([
      { path: 'steps[0].values.note', message: 'must be at most 10000 characters as JSON' },
    ]);
  });
});
