import { describe, expect, it } from 'vitest';
import { failureOf, pipelineOf, runSync } from './pipelineOf.js';

describe('a map step', () => {
  it('renames and drops fields and passes the others through in order', () => {
    const pipeline = pipelineOf([{ kind: 'map', rename: { amt: 'amount' }, drop: ['secret'] }]);
    const out = runSync(pipeline, { id: 1, amt: 9.5, secret: 'x', note: null });
    expect(out).toEqual({ id: 1, amount: 9.5, note: null });
    expect(Object.keys(out ?? {})).toEqual(['id', 'amount', 'note']);
  });

  it('lets a renamed field replace a field that already had the new name', () => {
    const pipeline = pipelineOf([{ kind: 'map', rename: { a: 'b' }, drop: [] }]);
    expect(runSync(pipeline, { a: 1, b: 2 })).toEqual({ b: 2 });
    expect(runSync(pipeline, { b: 2, a: 1 })).toEqual({ b: 1 });
  });

  it('computes set fields from the incoming record, before its renames and drops', () => {
    const pipeline = pipelineOf([
      {
        kind: 'map',
        rename: { amt: 'amount' },
        drop: ['country'],
        set: { cents: 'amt * 100', region: 'country == "DE" ? "eu" : "other"', amt2: 'amt' },
      },
    ]);
    expect(runSync(pipeline, { amt: 2.5, country: 'DE' })).toEqual({
      amount: 2.5,
      cents: 250,
      region: 'eu',
      amt2: 2.5,
    });
  });

  it('mixes JSON numbers with integer literals and gives ints back as JSON numbers', () => {
    const pipeline = pipelineOf([
      {
        kind: 'map',
        rename: {},
        drop: [],
        set: { a: 'n + 1', b: '2 * n', c: 'size(name)', d: 'n / 4', e: 'int(n) % 3' },
      },
    ]);
    expect(runSync(pipeline, { n: 10, name: 'abc' })).toMatchObject({ a: 11, b: 20, c: 3, d: 2.5, e: 1 });
  });

  it('writes CEL lists, maps, timestamps and bytes as JSON', () => {
    const pipeline = pipelineOf([
      {
        kind: 'map',
        rename: {},
        drop: [],
        set: {
          list: '[1, 2]',
          map: '{"k": x}',
          at: 'timestamp("2024-01-01T00:00:00Z")',
          raw: 'b"hi"',
        },
      },
    ]);
    expect(runSync(pipeline, { x: 'v' })).toEqual({
      x: 'v',
      list: [1, 2],
      map: { k: 'v' },
      at: '2024-01-01T00:00:00.000Z',
      raw: 'aGk=',
    });
  });

  it('fails a record for which an expression errs, naming the field and the reason', () => {
    const pipeline = pipelineOf([{ kind: 'map', rename: {}, drop: [], set: { total: 'price * qty' } }]);
    const failure = failureOf(pipeline, { price: 2 });
    expect(failure.message).toBe('steps[0] map: field "total": price * qty: Unknown variable: qty');
    expect(failure).toMatchObject({ field: 'total', retryable: false });
    expect(failureOf(pipeline, { price: 'a', qty: 2 }).message).toBe(
      'steps[0] map: field "total": price * qty: no such overload: dyn<string> * dyn<double>',
    );
  });

  it('fails a result JSON cannot hold rather than writing null', () => {
    const pipeline = pipelineOf([{ kind: 'map', rename: {}, drop: [], set: { r: 'n / 0' } }]);
    expect(failureOf(pipeline, { n: 1 }).message).toBe(
      'steps[0] map: field "r": n / 0 gave Infinity, which JSON cannot hold',
    );
  });

  it('does not run a field name as code: prototype names are not variables', () => {
    const pipeline = pipelineOf([{ kind: 'map', rename: {}, drop: [], set: { r: 'constructor' } }]);
    expect(failureOf(pipeline, {}).retryable).toBe(false);
  });
});
