import { describe, expect, it } from 'vitest';
import { toPipelineDefinition, toSink, toSource } from '../../../src/api/resolvers/pipelineInput.js';
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
      { path: 'steps[0]', message: 'set exactly one step kind: map or filter' },
      { path: 'steps[1]', message: 'set exactly one step kind: map or filter' },
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
