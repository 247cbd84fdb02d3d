import type { IHeaders, KafkaMessage, Message } from 'kafkajs';
import type { ConsumedRecord, ProducedRecord, StoredRecord } from './log.js';

/** A port record as kafkajs sends it. */
export const kafkaMessage = (record: ProducedRecord): Message => ({
  key: record.key,
  value: record.value,
  headers: record.headers,
  partition: record.partition,
  timestamp: record.timestamp === undefined ? undefined : timestampText(record.timestamp),
});

// Records sent together mostly share their millisecond (a processor's output keeps its source
// records' timestamps, written in batches), so the last text is kept: comparing costs less than
// converting again. kafkajs wants the text, and sorts a batch's timestamps as such.
let lastTimestamp = Number.NaN;
let lastTimestampText = '';
const timestampText = (timestamp: number): string => {
  if (timestamp !== lastTimestamp) {
    lastTimestamp = timestamp;
    lastTimestampText = String(timestamp);
  }
  return lastTimestampText;
};

/** A fetched kafkajs batch's messages as the port delivers them. */
export const consumedRecords = (
  topic: string,
  partition: number,
  messages: readonly KafkaMessage[],
): ConsumedRecord[] => {
  const records: ConsumedRecord[] = [];
  // As above, for the text kafkajs gives: parsing a timestamp costs several times the compare.
  let timestampText = '';
  let timestamp = Number.NaN;
  for (let index = 0; index < messages.length; index += 1) {
    const message = messages[index]!;
    if (message.timestamp !== timestampText) {
      timestampText = message.timestamp;
      timestamp = Number(timestampText);
    }
    records.push({
      topic,
      partition,
      offset: Number(message.offset),
      key: message.key,
      // A tombstone (null value) reads as empty: consumers of the port see no deletes (readPartition does).
      value: message.value ?? Buffer.alloc(0),
      headers: toHeaders(message.headers),
      timestamp,
    });
  }
  return records;
};

/** A fetched kafkajs batch's messages as `readPartition` hands them over, tombstones kept. */
export const storedRecords = (
  topic: string,
  partition: number,
  messages: readonly KafkaMessage[],
): StoredRecord[] =>
  messages.map((message) => ({
    topic,
    partition,
    offset: Number(message.offset),
    key: message.key,
    value: message.value,
    headers: toHeaders(message.headers),
    timestamp: Number(message.timestamp),
  }));

// Kafka allows a header name to repeat; the port has one value per name, so the last one wins.
// A for-in rather than Object.entries: most records have no headers, and then nothing is allocated
// but the result.
const toHeaders = (headers: IHeaders | undefined): Record<string, string> => {
  const result: Record<string, string> = {};
  for (const name in headers) {
    const value = headers[name];
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
export const sendChunks = (records: readonly ProducedRecord[]): (readonly ProducedRecord[])[] => {
  const chunks: ProducedRecord[][] = [];
  let chunk: ProducedRecord[] = [];
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

const sizeOf = (record: ProducedRecord): number => {
  let size = RECORD_OVERHEAD_BYTES + (record.key?.length ?? 0) + (record.value?.length ?? 0);
  const headers = record.headers;
  for (const name in headers) size += Buffer.byteLength(name) + Buffer.byteLength(headers[name]!);
  return size;
};
