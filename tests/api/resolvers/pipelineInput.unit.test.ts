import { describe, expect, it } from 'vitest';
import {
  type DefinitionInput,
  type StepInput,
  toGraphQLDelivery,
  toGraphQLOnMissing,
  toPipelineDefinition,
  toSink,
  toSource,
} from '../../../src/api/resolvers/pipelineInput.js';
import { toCheckpoint } from '../../../src/api/resolvers/runInput.js';
import { ValidationError } from '../../../src/errors.js';

const problemsOf = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    if (error instanceof ValidationError) return error.problems;
    throw error;
  }
  throw new Error('expected a ValidationError');
};

describe('pipeline input', () => {
  it('turns steps of each kind into the domain steps, in order', () => {
    expect(
      toPipelineDefinition({
        source: { topic: 'in' },
        steps: [{ map: { rename: [{ from: 'a', to: 'b' }], drop: ['c'] } }, { filter: { expr: 'b > 1' } }],
        sink: { topic: 'out' },
      }),
    ).toEqual({
      source: { topic: 'in', format: 'json' },
      steps: [
        { kind: 'map', rename: { a: 'b' }, drop: ['c'] },
        { kind: 'filter', expr: 'b > 1' },
      ],
      sink: { topic: 'out' },
    });
  });

  it('names each step that sets no kind or two, and a field renamed twice', () => {
    expect(
      problemsOf(() =>
        toPipelineDefinition({
          source: { topic: 'in' },
          steps: [
            {},
            { map: { rename: [] }, filter: { expr: 'x' } },
            {
              map: {
                rename: [
                  { from: 'a', to: 'b' },
                  { from: 'a', to: 'c' },
                ],
              },
            },
          ],
          sink: { topic: 'out' },
        }),
      ),
    ).toEqual([
      {
        path: 'steps[0]',
        message:
          'set exactly one step kind: map, filter, rename, drop, cast, default, dedupe, enrich, validate, aggregate',
      },
      {
        path: 'steps[1]',
        message:
          'set exactly one step kind: map, filter, rename, drop, cast, default, dedupe, enrich, validate, aggregate',
      },
      { path: 'steps[2].map.rename[1].from', message: '"a" is renamed twice' },
    ]);
  });

  it('makes a connector end of a connectorId, passing on a topic set beside it for the domain to refuse', () => {
    expect(toSource({ connectorId: 'c-1' })).toEqual({ connectorId: 'c-1' });
    expect(toSource({ connectorId: 'c-1', topic: 't', format: 'json' })).toEqual({
      connectorId: 'c-1',
      topic: 't',
      format: 'json',
    });
    expect(toSink({ connectorId: 'c-2', topic: null })).toEqual({ connectorId: 'c-2' });
    expect(toSink({ topic: 'out' })).toEqual({ topic: 'out' });
  });
});

describe('run progress input', () => {
  it('turns the partition list into the checkpoint map, refusing a partition listed twice', () => {
    expect(toCheckpoint([{ partition: 'orders/0', position: '5' }])).toEqual({ 'orders/0': '5' });
    expect(
      problemsOf(() =>
        toCheckpoint([
          { partition: 'orders/0', position: '5' },
          { partition: 'orders/0', position: '6' },
        ]),
      ),
    ).toEqual([{ path: 'checkpoint[1].partition', message: '"orders/0" is listed twice' }]);
  });
});

describe('pipeline input: the step kinds beyond map and filter', () => {
  const definitionOf = (steps: StepInput[], extra: Partial<DefinitionInput> = {}) =>
    toPipelineDefinition({ source: { topic: 'in' }, steps, sink: { topic: 'out' }, ...extra });

  it('turns lists of pairs into the records the domain holds, and default values from JSON text', () => {
    expect(
      definitionOf([
        { map: { set: [{ field: 'cents', expr: 'amount * 100' }] } },
        { rename: { fields: [{ from: 'a', to: 'b' }] } },
        { drop: { fields: ['c'] } },
        { cast: { fields: [{ field: 'b', type: 'long' }] } },
        {
          default: {
            values: [
              { field: 'tags', value: '["new"]' },
              { field: 'note', value: 'null' },
            ],
          },
        },
        { dedupe: { key: 'id', withinMs: 1000 } },
        { validate: { schema: '{}' } },
      ]).steps,
    ).toEqual([
      { kind: 'map', rename: {}, drop: [], set: { cents: 'amount * 100' } },
      { kind: 'rename', fields: { a: 'b' } },
      { kind: 'drop', fields: ['c'] },
      { kind: 'cast', fields: { b: 'long' } },
      { kind: 'default', values: { tags: ['new'], note: null } },
      { kind: 'dedupe', key: 'id', withinMs: 1000 },
      { kind: 'validate', schema: '{}' },
    ]);
  });

  it('takes the one lookup given, and says set_null where the domain says null', () => {
    const enrich = (lookup: NonNullable<StepInput['enrich']>['lookup']): StepInput => ({
      enrich: { lookup, key: 'id', into: 'customer', cacheTtlMs: 0, onMissing: 'set_null' },
    });
    expect(definitionOf([enrich({ redis: { keyPrefix: 'c:' }, postgres: null })]).steps).toEqual([
      {
        kind: 'enrich',
        lookup: { redis: { keyPrefix: 'c:' } },
        key: 'id',
        into: 'customer',
        cacheTtlMs: 0,
        onMissing: 'null',
      },
    ]);
    expect(toGraphQLOnMissing('null')).toBe('set_null');
    expect(toGraphQLOnMissing('fail')).toBe('fail');
  });

  it('takes an aggregate step with the window fields given, leaving out what was not', () => {
    const aggregate: StepInput = {
      aggregate: {
        window: { type: 'hopping', sizeMs: 60_000, advanceMs: 10_000, gapMs: null },
        key: 'customerId',
        eventTime: null,
        measures: [
          { name: 'orders', fn: 'count', expression: null },
          { name: 'revenue', fn: 'sum', expression: 'amount' },
        ],
        allowedLatenessMs: 5_000,
        emit: null,
      },
    };
    expect(definitionOf([aggregate]).steps).toEqual([
      {
        kind: 'aggregate',
        window: { type: 'hopping', sizeMs: 60_000, advanceMs: 10_000 },
        key: 'customerId',
        measures: [
          { name: 'orders', fn: 'count' },
          { name: 'revenue', fn: 'sum', expression: 'amount' },
        ],
        allowedLatenessMs: 5_000,
      },
    ]);
  });

  it('maps delivery to the domain’s words and leaves out what was not given', () => {
    expect(
      definitionOf([], {
        delivery: 'exactly_once',
        retry: { maxAttempts: 2, backoffMs: 0, maxBackoffMs: 0 },
      }),
    ).toEqual({
      source: { topic: 'in', format: 'json' },
      steps: [],
      sink: { topic: 'out' },
      delivery: 'exactly-once',
      retry: { maxAttempts: 2, backoffMs: 0, maxBackoffMs: 0 },
    });
    expect(definitionOf([], { delivery: null, retry: null })).toEqual({
      source: { topic: 'in', format: 'json' },
      steps: [],
      sink: { topic: 'out' },
    });
    expect(toGraphQLDelivery('at-least-once')).toBe('at_least_once');
  });

  it('keeps a sink format and schemas when given, and passes them beside a connector for the domain to refuse', () => {
    expect(toSink({ topic: 'out', format: 'avro', schema: 's', connectorId: null })).toEqual({
      topic: 'out',
      format: 'avro',
      schema: 's',
    });
    expect(toSource({ topic: 'in', format: 'avro', schema: 's' })).toEqual({
      topic: 'in',
      format: 'avro',
      schema: 's',
    });
    expect(toSink({ connectorId: 'c-1', format: 'json' })).toEqual({ connectorId: 'c-1', format: 'json' });
  });

  it('names default text that is not JSON, and a field set, cast or defaulted twice', () => {
    expect(
      problemsOf(() =>
        definitionOf([
          { default: { values: [{ field: 'a', value: '{' }] } },
          {
            map: {
              set: [
                { field: 'x', expr: '1' },
                { field: 'x', expr: '2' },
              ],
            },
          },
          {
            default: {
              values: [
                { field: 'a', value: '1' },
                { field: 'a', value: '2' },
              ],
            },
          },
        ]),
      ),
    ).toEqual([
      { path: 'steps[0].default.values[0].value', message: expect.stringMatching(/^is not JSON text: /) },
      { path: 'steps[1].map.set[1].field', message: '"x" is set twice' },
      { path: 'steps[2].default.values[1].field', message: '"a" is given a default twice' },
    ]);
  });
});
