import { describe, expect, it } from 'vitest';
import { parseAvroSchemas } from '../../../src/infra/avro/parseAvroSchemas.js';

const order = {
  origin: 'a.Order.avsc',
  schema: { type: 'record', name: 'Order', namespace: 'a', fields: [{ name: 'line', type: 'a.Line' }] },
};
const line = {
  origin: 'a.Line.avsc',
  schema: {
    type: 'record',
    name: 'Line',
    namespace: 'a',
    fields: [{ name: 'unit', type: { type: 'enum', name: 'Unit', symbols: ['kg'] } }],
  },
};

describe('parseAvroSchemas', () => {
  it('given a schema naming a type from a later file, when parsed, then both parse and share that type', () => {
    const types = parseAvroSchemas([order, line]);

    expect([...types.keys()].sort()).toEqual(['a.Line', 'a.Order', 'a.Unit']);
    expect(types.get('a.Order')!.toBuffer({ line: { unit: 'kg' } })).toEqual(Buffer.from([0]));
  });

  it('given a schema naming a type no file defines, when parsed, then the error names the file and the type', () => {
    expect(() => parseAvroSchemas([order])).toThrow(
      'invalid Avro schema a.Order.avsc: undefined type name: a.Line',
    );
  });

  it('given two files defining the same name, when parsed, then the error names the second file', () => {
    expect(() => parseAvroSchemas([line, { ...line, origin: 'copy.avsc' }])).toThrow(
      'invalid Avro schema copy.avsc: duplicate type name: a.Line',
    );
  });
});
