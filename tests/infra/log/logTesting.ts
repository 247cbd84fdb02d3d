import { expect } from 'vitest';
import type { ConsumedRecord, ConsumeOptions, Log, LogConsumer } from '../../../src/infra/log/log.js';
import { uniqueTopic } from '../../setup/testServices.js';

export const WAIT_MS = 30_000;

/** Consumes into an array; records of all partitions, each partition in delivery order. */
export const collect = async (log: Log, options: Omit<ConsumeOptions, 'eachBatch'>) => {
  const records: ConsumedRecord[] = [];
  const consumer: LogConsumer = await log.consume({
    ...options,
    async eachBatch(batch) {
      records.push(...batch.records);
    },
  });
  return { records, consumer };
};

export const until = async (condition: () => boolean, timeoutMs = WAIT_MS, state = () => '') => {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline)
      throw new Error(`Not the case within ${timeoutMs} ms: ${condition} ${state()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

export const untilReceived = (records: readonly unknown[], count: number, timeoutMs = WAIT_MS) =>
  until(
    () => records.length >= count,
    timeoutMs,
    () => `(${records.length} of ${count} records arrived)`,
  );

export const uniqueGroup = () => uniqueTopic('group');
export const bytes = (text: string) => Buffer.from(text);
export const valuesOf = (records: ReadonlyArray<{ value: Buffer }>) =>
  records.map((record) => record.value.toString());
export const numbered = (prefix: string, count: number, partition: number) =>
  Array.from({ length: count }, (_, i) => ({ key: bytes(prefix), value: bytes(`${prefix}${i}`), partition }));

export const expectIncreasing = (offsets: readonly number[]) => {
  offsets.slice(1).forEach((offset, i) => {
    expect(offset).toBeGreaterThan(offsets[i]!);
  });
};
