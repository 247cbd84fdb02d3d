import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { AvroCodecError, createAvroCodec } from '../../../src/infra/avro/avroCodec.js';
import type { AvroSchemaSource } from '../../../src/infra/avro/avroSchemaFiles.js';
import { createAvroUnionValues } from '../../../src/infra/avro/avroUnionValues.js';

// A shop's events in miniature: a payment is by card or by voucher, told apart by their fields;
// a delivery's address and a pickup point have the same shape, told apart by a sibling `method`.
const card = { type: 'record', name: 'Card', fields: [{ name: 'last4', type: 'string' }] };
const voucher = {
  type: 'record',
  name: 'Voucher',
  fields: [
    { name: 'code', type: 'string' },
    { name: 'note', type: ['null', 'string'], default: null },
  ],
};
const place = (name: string) => ({ type: 'record', name, fields: [{ name: 'city', type: 'string' }] });
const orderPlaced: AvroSchemaSource = {
  origin: 'shop.OrderPlaced.avsc',
  schema: {
    type: 'record',
    name: 'OrderPlaced',
    namespace: 'shop',
    fields: [
      { name: 'payments', type: { type: 'array', items: [card, voucher] } },
      { name: 'method', type: 'string' },
      {
        name: 'destination',
        type: [place('Address'), place('PickupPoint')],
        'tributary.branchBy': {
          field: 'method',
          branches: { post: 'shop.Address', pickup: 'shop.PickupPoint' },
        },
      },
      // Unwrapped by avsc (null or one record), with a union of records inside.
      {
        name: 'refund',
        type: [
          'null',
          { type: 'record', name: 'Refund', fields: [{ name: 'to', type: ['Card', 'Voucher'] }] },
        ],
        default: null,
      },
      { name: 'tips', type: { type: 'map', values: ['Card', 'Voucher'] } },
    ],
  },
};
const ORDER = 'shop.OrderPlaced';
const codec = createAvroCodec({ current: [orderPlaced], history: [] });
const type = avro.Type.forSchema(orderPlaced.schema as avro.Schema);

const order = {
  payments: [{ last4: '4242' }, { code: 'SPRING', note: 'gift' }],
  method: 'pickup',
  destination: { city: 'Lyon' },
  refund: { to: { code: 'REFUND-1' } },
  tips: { driver: { last4: '1881' } },
};

const invalid = (value: unknown): AvroCodecError => {
  try {
    codec.encode(ORDER, value);
  } catch (error) {
    if (error instanceof AvroCodecError) return error;
    throw error;
  }
  throw new Error('expected an AvroCodecError');
};

describe('plain values for unions of records', () => {
  it('given plain values, when encoded and decoded, then they come back plain, absent optional fields as null', () => {
    expect(codec.decode(ORDER, codec.encode(ORDER, order))).toEqual({
      ...order,
      refund: { to: { code: 'REFUND-1', note: null } },
    });
  });

  it('given a value, when encoded, then it is written as the branch whose fields it has', () => {
    const written = type.fromBuffer(codec.encode(ORDER, order).subarray(10)) as Record<string, unknown>;

    expect(JSON.parse(JSON.stringify(written))).toEqual({
      payments: [{ 'shop.Card': { last4: '4242' } }, { 'shop.Voucher': { code: 'SPRING', note: 'gift' } }],
      method: 'pickup',
      destination: { 'shop.PickupPoint': { city: 'Lyon' } },
      refund: { to: { 'shop.Voucher': { code: 'REFUND-1', note: null } } },
      tips: { driver: { 'shop.Card': { last4: '1881' } } },
    });
  });

  it('given a discriminator, when the sibling field changes, then the same value is written as the other branch', () => {
    const written = (method: string) =>
      Object.keys(
        (type.fromBuffer(codec.encode(ORDER, { ...order, method }).subarray(10)) as { destination: object })
          .destination,
      );

    expect(written('post')).toEqual(['shop.Address']);
    expect(written('pickup')).toEqual(['shop.PickupPoint']);
  });

  it('given a value with a field no branch has, when encoded, then it is refused rather than written without it', () => {
    const error = invalid({ ...order, payments: [{ last4: '4242', cvc: '123' }] });

    expect(error.problem).toBe('INVALID_VALUE');
    expect(error.message).toBe(
      "invalid shop.OrderPlaced: payments.0: { last4: '4242', cvc: '123' } is not one of shop.Card, shop.Voucher",
    );
  });

  it('given a discriminator no branch is named for, when encoded, then the field is reported', () => {
    const error = invalid({ ...order, method: 'drone' });

    expect(error.message).toBe(
      "invalid shop.OrderPlaced: destination: { city: 'Lyon' } is not one of shop.Address, shop.PickupPoint",
    );
  });

  it('given a value already wrapped, as avsc makes them, when encoded, then it is written as it is', () => {
    const wrapped = type.random();

    expect(codec.decode(ORDER, codec.encode(ORDER, wrapped))).toEqual(
      createAvroUnionValues([orderPlaced]).fromAvro(type, wrapped),
    );
  });

  it('given a malformed discriminator in a schema, when the codec is created, then the error names the file and field', () => {
    const schema = structuredClone(orderPlaced.schema) as { fields: Record<string, unknown>[] };
    schema.fields[2]!['tributary.branchBy'] = 'method';

    expect(() =>
      createAvroCodec({ current: [{ origin: 'shop.OrderPlaced.avsc', schema }], history: [] }),
    ).toThrow(
      'invalid Avro schema shop.OrderPlaced.avsc: tributary.branchBy of field destination must be { field, branches: { value: type name } }',
    );
  });
});
