/**
 * The log port: ordered, partitioned topics with consumer groups, as Kafka has them.
 * Adapters: `kafkaLog` (Apache Kafka through kafkajs) and `postgresLog` (the embedded log of
 * `npm run dev`, kept in PostgreSQL). Both pass `tests/infra/log/logContract.ts` unchanged.
 *
 * Contract:
 * - Records with the same key go to the same partition; within a partition, consumers see
 *   records in the order they were produced, each with a strictly increasing offset.
 * - A consumer group's committed offset moves only after `eachBatch` resolves for that batch,
 *   so delivery is at least once: a consumer that stops or dies before that sees the batch again.
 * - A group that has no committed offset starts at the beginning of each partition when
 *   `fromBeginning` is true, otherwise at the end (records produced after it joined). It has
 *   joined when `consume` resolves: every record produced after that reaches the group.
 * - `eachBatch` is called for one partition at a time and never concurrently for one partition.
 */
export interface Log {
  /**
   * Creates the topic if it does not exist; an existing topic keeps its partition count.
   * `produce` and `consume` create a missing topic with DEFAULT_PARTITIONS themselves.
   */
  ensureTopic(topic: string, options?: TopicOptions): Promise<void>;
  produce(topic: string, records: readonly ProducedRecord[]): Promise<void>;
  consume(options: ConsumeOptions): Promise<LogConsumer>;
  /**
   * Reads one partition without a consumer group, from the oldest record it still holds up to its
   * end as it is when called (committed records only, as consumers read them), handing the records
   * over batch by batch in offset order; resolves once all of them were handled. Tombstones come
   * with a null value. An unknown topic holds nothing. What a processor restores its state from.
   */
  readPartition(
    topic: string,
    partition: number,
    eachRecords: (records: StoredRecord[]) => Promise<void> | void,
  ): Promise<void>;
  /**
   * Per partition of the topic, the offset the next record produced there will get (Kafka's high
   * watermark; while a transaction is open there, Kafka answers its last stable offset). On Kafka,
   * transaction markers take offsets too, so a lag computed from this may overcount by them.
   * An unknown topic has no partitions.
   */
  endOffsets(topic: string): Promise<Map<number, number>>;
  /**
   * Per partition of the topic, the group's committed offset: the next offset it will read.
   * A partition the group never committed is absent.
   */
  committedOffsets(groupId: string, topic: string): Promise<Map<number, number>>;
  /**
   * Moves the group's committed offsets on every partition of the topic: to the first record at
   * or after `timestamp` (the end where none is), to `offset` (clamped to what the partition
   * holds), or to the earliest record. The group must have no running consumer.
   */
  resetGroupOffsets(groupId: string, topic: string, to: OffsetReset): Promise<void>;
  /** Stops every consumer (as `LogConsumer.stop` does) and disconnects; calling it again does nothing. */
  close(): Promise<void>;
}

export interface TopicOptions {
  partitions?: number;
  /**
   * Log compaction (Kafka's `cleanup.policy=compact`): the topic may drop any record that a later
   * record of the same key supersedes, and a tombstone once it is old, so it keeps the latest value
   * of each key. For changelogs of state. Only honoured when the topic is created.
   */
  compacted?: boolean;
}

export interface LogRecord {
  key: Buffer | null;
  value: Buffer;
  headers?: Record<string, string>;
  /** Chooses the partition explicitly; otherwise the key's hash does (round robin for no key). */
  partition?: number;
  /** Milliseconds since the epoch; the time of the produce call when absent. */
  timestamp?: number;
}

/**
 * A record without a value, which deletes its key from a compacted topic (Kafka's null value).
 * Consumers read its value as empty; `readPartition` hands it over with its null.
 */
export interface Tombstone extends Omit<LogRecord, 'value'> {
  value: null;
}

/** What `produce` takes: records, and tombstones for compacted topics. */
export type ProducedRecord = LogRecord | Tombstone;

export interface ConsumedRecord {
  topic: string;
  partition: number;
  offset: number;
  key: Buffer | null;
  value: Buffer;
  headers: Record<string, string>;
  timestamp: number;
}

/** A record as `readPartition` hands it over: a tombstone keeps its null value. */
export interface StoredRecord extends Omit<ConsumedRecord, 'value'> {
  value: Buffer | null;
}

export interface ConsumedBatch {
  topic: string;
  partition: number;
  records: readonly ConsumedRecord[];
  /**
   * Changes whenever the consumer's partitions are handed out anew (a rebalance), and only then;
   * absent where partitions never move between consumers (the embedded log). A handler keeping
   * state per partition learns from it whether another consumer may have processed the
   * partition since its last batch, or whether a gap in offsets is just the topic's (transaction
   * markers, compaction).
   */
  assignment?: number;
}

export type OffsetReset = { timestamp: number } | { offset: number } | 'earliest';

export interface ConsumeOptions {
  groupId: string;
  topics: readonly string[];
  fromBeginning?: boolean;
  /**
   * Exactly once: what the handler produces through `context.produce` and the batch's offset
   * commit atomically (a Kafka transaction; one PostgreSQL transaction on the embedded log), or
   * not at all when the handler throws. Consumers of this log read committed records only.
   * Each partition gets its own transactional producer, so a consumer that lost its partition
   * (a zombie) is fenced off and cannot commit after the new owner started.
   */
  transactional?: boolean;
  eachBatch(batch: ConsumedBatch, context: BatchContext): Promise<void>;
}

/** What a batch handler may do within its batch. */
export interface BatchContext {
  /**
   * Produces as `Log.produce` does; in a transactional consumer, as part of the batch's
   * transaction: visible to others only when the batch commits.
   */
  produce(topic: string, records: readonly ProducedRecord[]): Promise<void>;
}

export interface LogConsumer {
  /** Stops fetching, waits for the batch in hand to finish and its offset to commit. */
  stop(): Promise<void>;
}

export const DEFAULT_PARTITIONS = 3;
