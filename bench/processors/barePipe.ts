import { type Kafka, type Message, Partitioners } from 'kafkajs';

export interface BarePipeOptions {
  kafka: Kafka;
  groupId: string;
  source: string;
  sink: string;
  transactional: boolean;
  /** Called as each batch is handed over, before any work on it. */
  onBatchStart(count: number): void;
}

/**
 * The baseline: what a team would write with kafkajs alone. Each fetched batch is produced to the
 * sink as it came (key, value, headers, timestamp; no decoding, no steps), then its offset is
 * committed: after the producer's ack (at least once), or in the same transaction as the
 * records (exactly once, one transactional producer, the textbook read-process-write loop).
 * The consumer settings match kafkaLog's (explicit commits, 500 ms idle poll), the producer
 * keeps kafkajs' defaults (acks from all in-sync replicas).
 */
export const startBarePipe = async (options: BarePipeOptions) => {
  const { kafka, groupId, source, sink, transactional } = options;
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 500, allowAutoTopicCreation: false });
  const producer = kafka.producer({
    createPartitioner: Partitioners.DefaultPartitioner,
    allowAutoTopicCreation: false,
    ...(transactional
      ? {
          transactionalId: `${groupId}|bare`,
          idempotent: true,
          maxInFlightRequests: 1,
          // As kafkaLog does: a transaction started right after a commit often meets
          // CONCURRENT_TRANSACTIONS, and kafkajs' default first retry (300 ms) would cost that much.
          retry: { initialRetryTime: 25 },
        }
      : {}),
  });
  await Promise.all([consumer.connect(), producer.connect()]);
  // A baseline that stumbles would be measured slow, or not at all: it fails the bench instead.
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    process.stderr.write(`bare pipe crashed: ${payload.error.message}\n`);
    process.exit(1);
  });
  const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
  await consumer.subscribe({ topics: [source], fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    eachBatch: async ({ batch, resolveOffset, commitOffsetsIfNecessary, uncommittedOffsets }) => {
      const last = batch.messages.at(-1);
      if (!last) return;
      options.onBatchStart(batch.messages.length);
      const messages: Message[] = batch.messages.map((message) => ({
        key: message.key,
        value: message.value,
        headers: message.headers,
        timestamp: message.timestamp,
      }));
      const next = String(Number(last.offset) + 1);
      if (transactional) {
        const transaction = await producer.transaction();
        try {
          await transaction.send({ topic: sink, messages });
          await transaction.sendOffsets({
            consumerGroupId: groupId,
            topics: [{ topic: batch.topic, partitions: [{ partition: batch.partition, offset: next }] }],
          });
          await transaction.commit();
        } catch (error) {
          await transaction.abort().catch(() => undefined);
          throw error;
        }
        resolveOffset(last.offset);
        return;
      }
      await producer.send({ topic: sink, messages });
      resolveOffset(last.offset);
      await commitOffsetsIfNecessary(uncommittedOffsets());
    },
  });
  await joined;
  return {
    stop: async () => {
      await consumer.disconnect();
      await producer.disconnect();
    },
  };
};
