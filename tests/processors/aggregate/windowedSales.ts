import type {
  DeliveryGuarantee,
  PipelineDefinition,
} from '../../../src/domain/pipelines/pipelineDefinition.js';
import type { ConsumedRecord, LogRecord } from '../../../src/infra/log/log.js';

/**
 * Sales for windowed aggregation tests: customer `c<n>` buys for `amount`, at the Kafka
 * timestamp. Each customer's sales go to one source partition, set explicitly, so a partition's
 * watermark is the same whichever processor reads it.
 */
export const PARTITIONS = 3;
export const CUSTOMERS = 30;
export const WINDOW_MS = 1_000;
/** Event time between consecutive sales: a window holds 20 of them. */
export const SALE_EVERY_MS = 50;
/** A fixed start, on a window boundary, so runs are comparable. */
export const T0 = Date.UTC(2026, 0, 1);

export interface Sale {
  customer: string;
  amount: number;
}

const partitionOf = (customer: number) => customer % PARTITIONS;

/** Sales `from` to `to` (exclusive) of one steady stream, in event-time order per partition. */
export const saleRecords = (from: number, to: number): LogRecord[] =>
  Array.from({ length: to - from }, (_, i) => {
    const n = from + i;
    const customer = n % CUSTOMERS;
    const sale: Sale = { customer: `c${customer}`, amount: (n % 7) + 1 };
    return {
      key: Buffer.from(sale.customer),
      value: Buffer.from(JSON.stringify(sale)),
      partition: partitionOf(customer),
      timestamp: T0 + n * SALE_EVERY_MS,
    };
  });

/** One sale a partition at `timestamp`, of a customer of its own: moves every watermark there. */
export const closingRecords = (timestamp: number): LogRecord[] =>
  Array.from({ length: PARTITIONS }, (_, partition) => ({
    key: Buffer.from(`closer${partition}`),
    value: Buffer.from(JSON.stringify({ customer: `closer${partition}`, amount: 0 })),
    partition,
    timestamp,
  }));

/** Tumbling windows of WINDOW_MS by customer: total and count of the non-negative sales. */
export const salesPipeline = (
  source: string,
  sink: string,
  delivery: DeliveryGuarantee = 'at-least-once',
): PipelineDefinition => ({
  source: { topic: source, format: 'json' },
  steps: [
    { kind: 'filter', expr: 'amount >= 0' },
    {
      kind: 'aggregate',
      window: { type: 'tumbling', sizeMs: WINDOW_MS },
      key: 'customer',
      measures: [
        { name: 'total', fn: 'sum', expression: 'amount' },
        { name: 'sales', fn: 'count' },
      ],
      allowedLatenessMs: 0,
    },
  ],
  sink: { topic: sink, format: 'json' },
  delivery,
});

/** `<key>@<windowStart>` → `total/sales`, as one line each, sorted: easy to diff. */
export type WindowTotals = string[];

/**
 * The brute-force reference: the final results of the windows that the produced records close,
 * computed from the records alone, per partition in offset order, with Kafka's rules: a record
 * whose window ended at or before the partition's watermark (its greatest event time so far) is
 * late and left out; a window is final once the watermark reaches its end.
 */
export const expectedTotals = (records: readonly LogRecord[]): WindowTotals => {
  const watermarks = new Map<number, number>();
  const windows = new Map<string, { partition: number; end: number; total: number; sales: number }>();
  for (const record of records) {
    const sale = JSON.parse(record.value.toString()) as Sale;
    const partition = record.partition!;
    const time = record.timestamp!;
    const watermark = watermarks.get(partition) ?? Number.NEGATIVE_INFINITY;
    const start = Math.floor(time / WINDOW_MS) * WINDOW_MS;
    if (start + WINDOW_MS <= watermark) continue;
    watermarks.set(partition, Math.max(watermark, time));
    const id = `${sale.customer}@${new Date(start).toISOString()}`;
    const window = windows.get(id) ?? { partition, end: start + WINDOW_MS, total: 0, sales: 0 };
    window.total += sale.amount;
    window.sales += 1;
    windows.set(id, window);
  }
  return [...windows]
    .filter(([, window]) => window.end <= watermarks.get(window.partition)!)
    .map(([id, window]) => `${id} ${window.total}/${window.sales}`)
    .sort();
};

/** What the sink holds, in the same lines, duplicates kept (so a duplicate shows as a difference). */
export const sunkTotals = (records: readonly ConsumedRecord[]): WindowTotals =>
  records
    .map((record) => {
      const result = JSON.parse(record.value.toString()) as {
        key: string;
        windowStart: string;
        total: number;
        sales: number;
      };
      const id = `${result.key}@${result.windowStart}`;
      if (record.key?.toString() !== id)
        throw new Error(`result ${id} came with the Kafka key ${record.key}`);
      return `${id} ${result.total}/${result.sales}`;
    })
    .sort();
