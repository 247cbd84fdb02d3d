import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { avroLogicalTypes } from '../../../src/infra/avro/avroJsonText.js';

const record = (values: unknown, extra: object[] = []) =>
  ({
    type: 'record',
    name: 'Defaults',
    fields: [{ name: 'v', type: { type: 'map', values } }, ...extra],
  }) as avro.Schema;
const json = { type: 'string', logicalType: 'json' };
const withJson = (schema: avro.Schema) => avro.Type.forSchema(schema, { logicalTypes: avroLogicalTypes });

describe('the json logical type', () => {
  it('given any JSON value, when written and read, then it comes back as it was, written as its JSON text', () => {
    const type = withJson(record(json));
    const value = { v: { currency: 'EUR', n: 1.5, tags: [], address: { country: 'DE' }, note: null } };
    const buffer = type.toBuffer(value);

    expect(type.fromBuffer(buffer)).toEqual(value);
    expect(avro.Type.forSchema(record('string')).fromBuffer(buffer)).toEqual({
      v: { currency: '"EUR"', n: '1.5', tags: '[]', address: '{"country":"DE"}', note: 'null' },
    });
  });

  it('given what JSON cannot hold, then the value is invalid', () => {
    const type = withJson(record(json));
    for (const bad of [undefined, () => 1, Number.NaN])
      expect(type.isValid({ v: { a: bad } }), String(bad)).toBe(false);
  });

  it('given text written as a plain string or as json by an older schema, when read, then it is the value', () => {
    const reader = withJson(record(json, [{ name: 'x', type: ['null', 'int'], default: null }]));
    const plain = avro.Type.forSchema(record('string'));
    const older = withJson(record(json));

    expect(reader.fromBuffer(plain.toBuffer({ v: { a: '{"b":2}' } }), reader.createResolver(plain))).toEqual({
      v: { a: { b: 2 } },
      x: null,
    });
    expect(reader.fromBuffer(older.toBuffer({ v: { a: [1, 'x'] } }), reader.createResolver(older))).toEqual({
      v: { a: [1, 'x'] },
      x: null,
    });
  });
});
