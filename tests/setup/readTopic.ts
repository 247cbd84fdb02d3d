import type { ConsumedRecord, Log } from '../../src/infra/log/log.js';
import { uniqueTopic } from './testServices.js';

/**
 * Reads a topic from the beginning in a fresh group until `count` records have arrived or the
 * time is up, and returns what arrived (on Kafka, committed records only: read committed).
 */
export const readTopic = async (log: Log, topic: string, count: number, timeoutMs = 30_000) => {
  const records: ConsumedRecord[] = [];
  const consumer = await log.consume({
    groupId: uniqueTopic('reader'),
    topics: [topic],
    fromBeginning: true,
    eachBatch: async (batch) => {
      records.push(...batch.records);
    },
  });
  const deadline = Date.now() + timeoutMs;
  while (records.length < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  await consumer.stop();
  return records;
};
