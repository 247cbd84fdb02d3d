import { describe, expect, it } from 'vitest';
import { failureOf, pipelineOf, runSync } from './pipelineOf.js';

const schema = JSON.stringify({
  type: 'record',
  name: 'Order',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'amount', type: 'double' },
    { name: 'note', type: ['null', 'string'], default: null },
    { name: 'raw', type: ['null', 'bytes'], default: null },
    {
      name: 'items',
      type: {
        type: 'array',
        items: { type: 'record', name: 'Item', fields: [{ name: 'sku', type: 'string' }] },
      },
    },
  ],
});

describe('a validate step', () => {
  const validate = () => pipelineOf([{ kind: 'validate', schema }]);

  it('passes a record that fits the schema, unchanged', () => {
    const record = { id: 'o-1', amount: 2, note: 'x', raw: 'aGk=', items: [{ sku: 's' }], extra: true };
    expect(runSync(validate(), record)).toBe(record);
    expect(runSync(validate(), { id: 'o-1', amount: 2, items: [] })).not.toBe(null);
  });

  it('fails a record naming the first field that does not fit', () => {
    expect(failureOf(validate(), { id: 'o-1', amount: 'abc', items: [] })).toMatchObject({
      message: 'steps[0] validate: field "amount": "abc" is not a double',
      field: 'amount',
      retryable: false,
    });
    expect(failureOf(validate(), { id: 'o-1', amount: 1, items: [{ sku: 3 }] }).message).toBe(
      'steps[0] validate: field "items.0.sku": 3 is not a string',
    );
    expect(failureOf(validate(), { amount: 1, items: [] }).message).toBe(
      'steps[0] validate: field "id": is missing, expected a string',
    );
    expect(failureOf(validate(), { id: 'o', amount: 1, items: [], note: 5 }).message).toBe(
      'steps[0] validate: field "note": 5 is not one of null, string',
    );
  });
});
