import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { avroFingerprint } from '../../../src/infra/avro/avroFingerprint.js';
import { createRecordDecoder } from '../../../src/processors/formats/recordDecoder.js';
import { createRecordEncoder } from '../../../src/processors/formats/recordEncoder.js';
import { RecordFormatError } from '../../../src/processors/formats/recordFormatError.js';

const schema = JSON.stringify({
  type: 'record',
  name: 'Payment',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'cents', type: 'long' },
    { name: 'raw', type: ['null', 'bytes'], default: null },
    { name: 'tags', type: { type: 'array', items: 'string' } },
    { name: 'card', type: { type: 'record', name: 'Card', fields: [{ name: 'last4', type: 'string' }] } },
  ],
});

describe('the JSON record encoder', () => {
  it('writes UTF-8 JSON, for a sink without a format too', () => {
    const record = { id: 'é', n: 1, nested: { a: null } };
    for (const sink of [{ topic: 'out' }, { topic: 'out', format: 'json' as const }]) {
      expect(createRecordEncoder(sink).encode(record).toString('utf8')).toBe(
        '{"id":"é","n":1,"nested":{"a":null}}',
      );
    }
  });

  it('fails with a RecordFormatError for a value JSON cannot hold', () => {
    expect(() => createRecordEncoder({ topic: 'out' }).encode({ n: 1n })).toThrow(RecordFormatError);
  });
});

describe('the Avro record encoder', () => {
  const sink = { topic: 'out', format: 'avro' as const, schema };
  const { encode } = createRecordEncoder(sink);
  const record = {
    id: 'p-1',
    cents: 1250,
    raw: 'aGk=',
    tags: ['a'],
    card: { last4: '4242' },
    extra: 'left out',
  };

  it('writes single-object encoding with the schema fingerprint', () => {
    const type = avro.Type.forSchema(JSON.parse(schema) as avro.Schema);
    const value = encode(record);
    expect(value.subarray(0, 2)).toEqual(Buffer.from([0xc3, 0x01]));
    expect(value.subarray(2, 10)).toEqual(avroFingerprint(type));
    expect(type.fromBuffer(value.subarray(10))).toMatchObject({
      id: 'p-1',
      cents: 1250,
      raw: Buffer.from('hi'),
    });
  });

  it('round-trips through the decoder of the same schema', () => {
    const { decode } = createRecordDecoder({ topic: 'out', format: 'avro', schema });
    const { extra: _, ...written } = record;
    expect(decode(encode(record))).toEqual(written);
    expect(decode(encode({ ...record, raw: null }))).toEqual({ ...written, raw: null });
  });

  it('fails a record that does not fit, naming the field', () => {
    expect(() => encode({ ...record, cents: 'abc' })).toThrow(
      new RecordFormatError(
        'record does not fit the sink\'s Avro schema: field "cents": "abc" is not a long',
      ),
    );
    expect(() => encode({ ...record, card: { last4: 4242 } })).toThrow(
      'field "card.last4": 4242 is not a string',
    );
    expect(() => encode({ ...record, id: undefined })).toThrow('field "id": is missing, expected a string');
    expect(() => encode({ ...record, cents: 2 ** 60 })).toThrow(
      'field "cents": 1152921504606847000 is not a long',
    );
  });
});
