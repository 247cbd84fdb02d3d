import { describe, expect, it } from 'vitest';
import { renameAndDrop } from '../../../src/processors/transform/compileMapStep.js';
import { MAX_LAYOUTS } from '../../../src/processors/transform/recordLayouts.js';

const renameA = renameAndDrop(new Map([['a', 'b']]), new Set(['z']));

describe('a rename or drop copy', () => {
  it('keeps each layout apart, past the layouts it compiles copiers for', () => {
    const copy = renameAndDrop(new Map([['a', 'b']]), new Set(['z']));
    for (let layout = 0; layout < MAX_LAYOUTS + 3; layout += 1) {
      const record = { [`f${layout}`]: layout, a: 1, z: 2 };
      const out = copy(record);
      expect(out).toEqual({ [`f${layout}`]: layout, b: 1 });
      expect(Object.keys(out)).toEqual([`f${layout}`, 'b']);
      expect(copy({ a: 3, [`f${layout}`]: 'x' })).toEqual({ b: 3, [`f${layout}`]: 'x' });
    }
  });

  it('copies field names that are not identifiers, as data and never as code', () => {
    const names = ["'", '"', '\\', '`$' + '{x}`', '\u2028', '\ud800', '}; throw 1; //', '0', 'constructor'];
    const record = Object.fromEntries(names.map((name, index) => [name, index]));
    const out = renameAndDrop(new Map([['"', 'quote']]), new Set(['\\']))({ ...record, a: 'x' });
    const expected: Record<string, unknown> = { ...record, quote: 1, a: 'x' };
    delete expected['"'];
    delete expected['\\'];
    expect(out).toEqual(expected);
  });

  it('copies an own __proto__ field as the field-by-field copy does, without a compiled copier', () => {
    const record = JSON.parse('{"a": 1, "__proto__": {"polluted": true}}') as Record<string, unknown>;
    const out = renameA(record);
    expect(out.b).toBe(1);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('lets a renamed field replace a field that already had the new name, in its place', () => {
    expect(Object.entries(renameA({ b: 2, c: 3, a: 1 }))).toEqual([
      ['b', 1],
      ['c', 3],
    ]);
  });
});
