import type { IHeaders, KafkaMessage, Message } from 'kafkajs';
import type { ConsumedRecord, LogRecord } from './log.js';

/** A port record as kafkajs sends it. */
export const kafkaMessage = (record: LogRecord): Message => ({
  key: record.key,
  value: record.value,
  headers: record.headers,
  partition: record.partition,
  timestamp: record.timestamp === undefined ? undefined : String(record.timestamp),
});

/** A fetched kafkajs message as the port delivers it. */
export const consumedRecord = (topic: string, partition: number, message: KafkaMessage): ConsumedRecord => ({
  topic,
  partition,
  offset: Number(message.offset),
  key: message.key,
  // A tombstone (null value) reads as empty: the port has no deletes.
  value: message.value ?? Buffer.alloc(0),
  headers: toHeaders(message.headers),
  timestamp: Number(message.timestamp),
});

// Kafka allows a header name to repeat; the port has one value per name, so the last one wins.
const toHeaders = (headers: IHeaders | undefined): Record<string, string> => {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    const last = Array.isArray(value) ? value.at(-1) : value;
    if (last !== undefined) result[name] = last.toString();
  }
  return result;
};
