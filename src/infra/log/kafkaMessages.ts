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

// Kafka refuses a record batch larger than the broker's message.max.bytes (1 MiB by default) with
// MESSAGE_TOO_LARGE, which no retry cures, and kafkajs sends all the records of one send call that
// go to one partition as one batch. A processor's output for a fetched batch (up to 1 MiB per
// partition, plus the lineage headers) can pass that, so sends are cut well below it.
const MAX_SEND_BYTES = 512 * 1024;
// A record's own framing in a batch (lengths, offset and timestamp deltas, attributes), rounded up.
const RECORD_OVERHEAD_BYTES = 32;

/** Consecutive runs of the records, each at most MAX_SEND_BYTES (a larger record goes alone). */
export const sendChunks = (records: readonly LogRecord[]): (readonly LogRecord[])[] => {
  const chunks: LogRecord[][] = [];
  let chunk: LogRecord[] = [];
  let bytes = 0;
  for (const record of records) {
    const size = sizeOf(record);
    if (chunk.length > 0 && bytes + size > MAX_SEND_BYTES) {
      chunks.push(chunk);
      chunk = [];
      bytes = 0;
    }
    chunk.push(record);
    bytes += size;
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
};

const sizeOf = (record: LogRecord): number => {
  let size = RECORD_OVERHEAD_BYTES + (record.key?.length ?? 0) + record.value.length;
  for (const [name, value] of Object.entries(record.headers ?? {}))
    size += Buffer.byteLength(name) + Buffer.byteLength(value);
  return size;
};
