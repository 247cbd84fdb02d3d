import { describe, expect, it } from 'vitest';
import { lineagePrefix, parseLineage } from '../../src/processors/lineage.js';

describe('lineage of a sink record', () => {
  it('names the pipeline, its version and the source record, and reads back as written', () => {
    const value = `${lineagePrefix('0b6f5c1e-8d1a-4c55-9a57-2f0a3c1d9e10', 12, 'orders.raw_v2-eu', 3)}1048576`;
    expect(value).toBe('0b6f5c1e-8d1a-4c55-9a57-2f0a3c1d9e10:12:orders.raw_v2-eu/3/1048576');
    expect(parseLineage(value)).toEqual({
      pipelineId: '0b6f5c1e-8d1a-4c55-9a57-2f0a3c1d9e10',
      version: 12,
      topic: 'orders.raw_v2-eu',
      partition: 3,
      offset: 1048576,
    });
  });

  it('is null for a value that is not a lineage', () => {
    for (const value of [undefined, '', 'p:1:orders/0', 'p:x:orders/0/1', 'p:1:orders/0/1/2', 'orders/0/1']) {
      expect(parseLineage(value)).toBeNull();
    }
  });
});
