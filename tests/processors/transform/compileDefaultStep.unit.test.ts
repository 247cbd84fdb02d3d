import { describe, expect, it } from 'vitest';
import { pipelineOf, runSync } from './pipelineOf.js';

describe('a default step', () => {
  it('sets fields that are missing or null, and keeps the others', () => {
    const pipeline = pipelineOf([{ kind: 'default', values: { currency: 'EUR', qty: 1, note: null } }]);
    expect(runSync(pipeline, { currency: null, qty: 0 })).toEqual({ currency: 'EUR', qty: 0, note: null });
    expect(runSync(pipeline, { currency: 'USD', qty: 2, note: 'x' })).toEqual({
      currency: 'USD',
      qty: 2,
      note: 'x',
    });
  });

  it('gives every record its own copy of an object default', () => {
    const pipeline = pipelineOf([{ kind: 'default', values: { tags: ['new'], meta: { a: { b: 1 } } } }]);
    const first = runSync(pipeline, {}) as { tags: string[]; meta: { a: { b: number } } };
    first.tags.push('changed');
    first.meta.a.b = 2;
    expect(runSync(pipeline, {})).toEqual({ tags: ['new'], meta: { a: { b: 1 } } });
  });
});

describe('a rename step', () => {
  it('renames fields in place and passes the others through', () => {
    const out = runSync(pipelineOf([{ kind: 'rename', fields: { amt: 'amount' } }]), { id: 1, amt: 2, z: 3 });
    expect(Object.entries(out ?? {})).toEqual([
      ['id', 1],
      ['amount', 2],
      ['z', 3],
    ]);
  });
});

describe('a drop step', () => {
  it('leaves the named fields out and ignores the ones the record lacks', () => {
    const pipeline = pipelineOf([{ kind: 'drop', fields: ['card', 'absent'] }]);
    expect(runSync(pipeline, { id: 1, card: '4111' })).toEqual({ id: 1 });
  });
});
