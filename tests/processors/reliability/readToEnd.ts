import { randomUUID } from 'node:crypto';
import type { ConsumedRecord, Log } from '../../../src/infra/log/log.js';
import { uniqueTopic } from '../../setup/testServices.js';

const END_HEADER = 'tributary-test-end';

/**
 * Reads a topic from the beginning (read committed) up to an end marker produced now on each
 * partition, and returns the records before the markers: everything committed before the call,
 * without guessing a count or a quiet period. A transaction still open holds its partition's
 * marker back until it ends, so its records are decided (committed or aborted) when read.
 */
export const readToEnd = async (log: Log, topic: string, timeoutMs = 60_000): Promise<ConsumedRecord[]> => {
  const partitions = [...(await log.endOffsets(topic)).keys()];
  const marker = randomUUID();
  await log.produce(
    topic,
    partitions.map((partition) => ({
      key: null,
      value: Buffer.from('{}'),
      partition,
      headers: { [END_HEADER]: marker },
    })),
  );
  const records: ConsumedRecord[] = [];
  const ended = new Set<number>();
  const consumer = await log.consume({
    groupId: uniqueTopic('reader'),
    topics: [topic],
    fromBeginning: true,
    eachBatch: async (batch) => {
      for (const record of batch.records) {
        if (record.headers[END_HEADER] === marker) ended.add(record.partition);
        else if (!ended.has(record.partition)) records.push(record);
      }
    },
  });
  const deadline = Date.now() + timeoutMs;
  while (ended.size < partitions.length && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 100));
  await consumer.stop();
  if (ended.size < partitions.length)
    throw new Error(
      `${topic}: end markers of partitions ${partitions.filter((p) => !ended.has(p))} not read within ${timeoutMs} ms`,
    );
  return records;
};
