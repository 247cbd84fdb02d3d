import { describe, expect, it } from 'vitest';
import { pipelineDecider } from '../../../src/domain/pipelines/pipeline.js';
import { given } from '../deciderSpec.js';
import { create, definition, problemsOfSteps } from './pipelineFixtures.js';

const map = (parts: Record<string, unknown>) => ({ kind: 'map', rename: {}, drop: [], ...parts });

describe('map steps: computed fields', () => {
  it('accepts a map step that only sets fields, each a CEL expression of any type', () => {
    expect(
      problemsOfSteps(
        map({ set: { cents: 'amount * 100', country: 'country.upperAscii()', vip: 'tier == "gold"' } }),
      ),
    ).toEqual([]);
  });

  it('accepts renames, drops and sets together, and a map step saved before set existed', () => {
    expect(problemsOfSteps(map({ rename: { a: 'b' }, drop: ['c'], set: { d: 'b + 1' } }))).toEqual([]);
    expect(problemsOfSteps(...definition.steps)).toEqual([]);
  });

  it('rejects a broken expression at the field it sets, with the parser message', () => {
    expect(problemsOfSteps(map({ set: { total: 'amount *', ok: 'amount', bad: '1 + "a"' } }))).toEqual([
      { path: 'steps[0].set.total', message: 'Unexpected token: EOF (at character 9)' },
      { path: 'steps[0].set.bad', message: 'no such overload: int + string' },
    ]);
    given(pipelineDecider, [])
      .when(create({ definition: { ...definition, steps: [map({ set: { total: '' } }) as never] } }))
      .thenThrows('VALIDATION_FAILED', ['steps[0].set.total']);
  });

  it('rejects a set field that is no field name, and an expression that is not text', () => {
    expect(problemsOfSteps(map({ set: { 'two words': 'a', n: 42 } }))).toEqual([
      { path: 'steps[0].set', message: '"two words" is not a field name' },
      { path: 'steps[0].set.n', message: 'must be a CEL expression, such as amount * 100' },
    ]);
  });

  it('rejects a map step that renames, drops and sets nothing', () => {
    expect(problemsOfSteps(map({ set: {} }))).toEqual([
      { path: 'steps[0]', message: 'a map step must rename, drop or set at least one field' },
    ]);
  });

  it('still rejects a field both renamed and dropped, and two fields renamed alike', () => {
    expect(problemsOfSteps(map({ rename: { a: 'x', b: 'x' }, drop: ['a'] }))).toEqual([
      { path: 'steps[0].rename.b', message: 'renames to "x", as "a" already does' },
      { path: 'steps[0].drop[0]', message: '"a" is both renamed and dropped' },
    ]);
  });
});
