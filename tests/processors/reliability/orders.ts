import type {
  DeliveryGuarantee,
  PipelineDefinition,
} from '../../../src/domain/pipelines/pipelineDefinition.js';
import type { ConsumedRecord, LogRecord } from '../../../src/infra/log/log.js';

// Pads a record to about 200 bytes, the size the issue names.
const NOTE = 'n'.repeat(120);

/** Orders `from` to `to - 1`, keyed by id: about 200 bytes of JSON each. */
export const orderRecords = (from: number, to: number): LogRecord[] =>
  Array.from({ length: to - from }, (_, index) => {
    const id = from + index;
    return {
      key: Buffer.from(String(id)),
      value: Buffer.from(
        JSON.stringify({ id, amount: id % 100, customer: `customer-${id % 997}`, note: NOTE }),
      ),
    };
  });

/** A filter, a cast and a rename: orders with an amount of 10 or less are left out. */
export const ordersPipeline = (
  source: string,
  sink: string,
  delivery: DeliveryGuarantee,
): PipelineDefinition => ({
  source: { topic: source, format: 'json' },
  steps: [
    { kind: 'filter', expr: 'amount > 10' },
    { kind: 'cast', fields: { amount: 'double' } },
    { kind: 'rename', fields: { id: 'orderId' } },
  ],
  sink: { topic: sink, format: 'json' },
  delivery,
});

/** The ids of orders 0 to `count - 1` that pass the pipeline's filter. */
export const expectedOrderIds = (count: number): number[] =>
  Array.from({ length: count }, (_, id) => id).filter((id) => id % 100 > 10);

/** How the ids found in the sink differ from those expected, with the first few of each kind. */
export const compareOrderIds = (expected: readonly number[], sunk: readonly ConsumedRecord[]) => {
  const seen = new Map<number, number>();
  for (const record of sunk) {
    const { orderId } = JSON.parse(record.value.toString()) as { orderId: number };
    seen.set(orderId, (seen.get(orderId) ?? 0) + 1);
  }
  const wanted = new Set(expected);
  const missing = expected.filter((id) => !seen.has(id));
  const unexpected = [...seen.keys()].filter((id) => !wanted.has(id)).sort((a, b) => a - b);
  const duplicated = [...seen].filter(([, times]) => times > 1).map(([id]) => id);
  const FIRST = 10;
  return {
    records: sunk.length,
    distinct: seen.size,
    duplicates: sunk.length - seen.size,
    missing: missing.length,
    firstMissing: missing.slice(0, FIRST),
    firstUnexpected: unexpected.slice(0, FIRST),
    firstDuplicated: duplicated.sort((a, b) => a - b).slice(0, FIRST),
  };
};
