import { describe, expect, it } from 'vitest';
import type { CastType } from '../../../src/domain/pipelines/pipelineDefinition.js';
import { failureOf, pipelineOf, runSync } from './pipelineOf.js';

const cast = (type: CastType, value: unknown) =>
  runSync(pipelineOf([{ kind: 'cast', fields: { v: type } }]), { v: value })?.v;

const castFailure = (type: CastType, value: unknown) =>
  failureOf(pipelineOf([{ kind: 'cast', fields: { v: type } }]), { v: value }).message;

describe('a cast step', () => {
  it.each<[CastType, unknown, unknown]>([
    ['string', 12.5, '12.5'],
    ['string', true, 'true'],
    ['string', { a: 1 }, '{"a":1}'],
    ['int', '42', 42],
    ['int', ' -7 ', -7],
    ['int', 3, 3],
    ['long', '9007199254740991', 9007199254740991],
    ['float', '1.5', 1.5],
    ['double', '-2e3', -2000],
    ['double', 4, 4],
    ['boolean', 'TRUE', true],
    ['boolean', 'false', false],
    ['boolean', 0, false],
    ['boolean', '1', true],
    ['timestamp', 0, '1970-01-01T00:00:00.000Z'],
    ['timestamp', '2024-03-01T10:00:00+02:00', '2024-03-01T08:00:00.000Z'],
  ])('casts to %s: %j becomes %j', (type, value, expected) => {
    expect(cast(type, value)).toEqual(expected);
  });

  it.each<[CastType, unknown, string]>([
    ['int', 'abc', '"abc" is not an int'],
    ['int', '12.5', '"12.5" is not an int'],
    ['int', 12.5, '12.5 is not an int'],
    ['int', 2 ** 31, '2147483648 is not an int'],
    ['int', true, 'true is not an int'],
    ['long', '9007199254740993', '"9007199254740993" is not a long'],
    ['double', '', '"" is not a double'],
    ['double', 'NaN', '"NaN" is not a double'],
    ['float', [1], '[1] is not a float'],
    ['boolean', 'yes', '"yes" is not a boolean'],
    ['timestamp', 'soon', '"soon" is not a timestamp'],
    ['timestamp', 1e20, '100000000000000000000 is not a timestamp'],
  ])('fails to cast to %s: %j', (type, value, reason) => {
    expect(castFailure(type, value)).toBe(`steps[0] cast: field "v": ${reason}`);
  });

  it('leaves missing and null fields as they are', () => {
    const pipeline = pipelineOf([{ kind: 'cast', fields: { a: 'int', b: 'timestamp' } }]);
    expect(runSync(pipeline, { b: null, c: 'x' })).toEqual({ b: null, c: 'x' });
  });

  it('names the first field that cannot be cast', () => {
    const pipeline = pipelineOf([{ kind: 'cast', fields: { ok: 'int', amount: 'double' } }]);
    expect(failureOf(pipeline, { ok: '1', amount: 'lots' })).toMatchObject({
      message: 'steps[0] cast: field "amount": "lots" is not a double',
      field: 'amount',
      retryable: false,
    });
  });
});
