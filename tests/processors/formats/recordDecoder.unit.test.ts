import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { avroFingerprint } from '../../../src/infra/avro/avroFingerprint.js';
import { createRecordDecoder } from '../../../src/processors/formats/recordDecoder.js';
import { RecordFormatError } from '../../../src/processors/formats/recordFormatError.js';
import { compilePipeline } from '../../../src/processors/transform/compilePipeline.js';

const schema = {
  type: 'record',
  name: 'Order',
  namespace: 'shop',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'amount', type: 'long' },
    { name: 'at', type: { type: 'long', logicalType: 'timestamp-millis' } },
    { name: 'raw', type: 'bytes' },
    { name: 'note', type: ['null', 'string'], default: null },
    {
      name: 'lines',
      type: {
        type: 'array',
        items: { type: 'record', name: 'Line', fields: [{ name: 'sku', type: 'string' }] },
      },
    },
    { name: 'attrs', type: { type: 'map', values: 'bytes' } },
    { name: 'status', type: { type: 'enum', name: 'Status', symbols: ['NEW', 'PAID'] } },
    {
      name: 'ref',
      type: [
        'null',
        { type: 'record', name: 'A', fields: [{ name: 'a', type: 'int' }] },
        { type: 'record', name: 'B', fields: [{ name: 'b', type: 'int' }] },
      ],
      default: null,
    },
  ],
};
const type = avro.Type.forSchema(schema as avro.Schema);
const singleObject = (value: unknown) =>
  Buffer.concat([Buffer.from([0xc3, 0x01]), avroFingerprint(type), type.toBuffer(value)]);

const order = {
  id: 'o-1',
  amount: 2 ** 52,
  at: 1700000000000,
  raw: Buffer.from('hi'),
  note: 'n',
  lines: [{ sku: 's1' }],
  attrs: { k: Buffer.from([1, 2]) },
  status: 'PAID',
  ref: { 'shop.B': { b: 2 } },
};

const decodeError = (decode: (value: Buffer) => unknown, value: Buffer): string => {
  try {
    decode(value);
  } catch (error) {
    expect(error).toBeInstanceOf(RecordFormatError);
    return (error as Error).message;
  }
  throw new Error('expected a RecordFormatError');
};

describe('the JSON record decoder', () => {
  const { decode } = createRecordDecoder({ topic: 'orders', format: 'json' });

  it('reads a JSON object', () => {
    expect(decode(Buffer.from('{"id":"o-1","n":1.5,"nested":{"a":[1]}}'))).toEqual({
      id: 'o-1',
      n: 1.5,
      nested: { a: [1] },
    });
  });

  it('refuses text that is not JSON, saying where', () => {
    expect(decodeError(decode, Buffer.from('{"a":'))).toMatch(/^invalid JSON: .*/);
    expect(decodeError(decode, Buffer.from('{"a":x}'))).toMatch(/^invalid JSON: Unexpected token/);
  });

  it('refuses JSON that is not an object', () => {
    for (const text of ['[1]', '"s"', 'null', '3']) {
      expect(decodeError(decode, Buffer.from(text))).toBe('a JSON record must be an object');
    }
  });
});

describe('the Avro record decoder', () => {
  const { decode } = createRecordDecoder({ topic: 'orders', format: 'avro', schema: JSON.stringify(schema) });

  it('reads single-object encoding as plain JSON values', () => {
    const record = decode(singleObject(order));
    expect(record).toEqual({
      id: 'o-1',
      amount: 2 ** 52,
      at: 1700000000000,
      raw: 'aGk=',
      note: 'n',
      lines: [{ sku: 's1' }],
      attrs: { k: 'AQI=' },
      status: 'PAID',
      ref: { 'shop.B': { b: 2 } },
    });
    expect(Object.getPrototypeOf(record)).toBe(Object.prototype);
    expect(Object.getPrototypeOf((record.lines as object[])[0])).toBe(Object.prototype);
    expect(JSON.parse(JSON.stringify(record))).toEqual(record);
  });

  it('gives records CEL can read, nested records included', () => {
    const pipeline = compilePipeline({
      source: { topic: 'orders', format: 'json' },
      steps: [{ kind: 'filter', expr: 'lines[0].sku == "s1" && amount > 0' }],
      sink: { topic: 'out' },
    });
    expect(pipeline.process(decode(singleObject(order)), { partition: 0, timestamp: 0 })).not.toBe(null);
  });

  it('refuses a value without the single-object marker', () => {
    expect(decodeError(decode, Buffer.from('{"id":1}'))).toBe(
      'invalid Avro: expected single-object marker C3 01',
    );
    expect(decodeError(decode, Buffer.alloc(0))).toBe('invalid Avro: expected single-object marker C3 01');
  });

  it("refuses a record written with another schema than the version's", () => {
    const other = Buffer.from(singleObject(order));
    other.writeBigUInt64LE(42n, 2);
    const expected = avroFingerprint(type).toString('hex');
    expect(decodeError(decode, other)).toBe(
      `invalid Avro: schema fingerprint 2a00000000000000 is not the version's ${expected}`,
    );
  });

  it('refuses a truncated value', () => {
    const whole = singleObject(order);
    expect(decodeError(decode, whole.subarray(0, 6))).toBe('invalid Avro: truncated');
    expect(decodeError(decode, whole.subarray(0, whole.length - 3))).toBe('invalid Avro: truncated');
  });

  it('refuses trailing bytes after the record', () => {
    expect(decodeError(decode, Buffer.concat([singleObject(order), Buffer.from([0])]))).toBe(
      'invalid Avro: trailing data',
    );
  });
});
