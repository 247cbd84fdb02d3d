import {
  type Admin,
  type Batch,
  type Consumer,
  type Kafka,
  Partitioners,
  type Producer,
  type Transaction,
} from 'kafkajs';
import { kafkaMessage, sendChunks } from './kafkaMessages.js';
import type { BatchContext, ProducedRecord } from './log.js';

// Longer than any handler should take; past it the coordinator aborts the transaction and bumps
// the epoch, so the commit fails and the batch is processed again from the committed offset.
const TRANSACTION_TIMEOUT_MS = 60_000;
// A commit's markers are written after EndTxn returns, so the next transaction's first request
// often meets CONCURRENT_TRANSACTIONS; a short first retry keeps that from costing 300 ms a batch.
const FIRST_RETRY_MS = 25;

// The offset the batch was fetched from; kafkajs keeps it on the batch but leaves it out of its types.
const fetchedOffset = (batch: Batch) => Number((batch as Batch & { fetchedOffset: string }).fetchedOffset);

export interface PartitionTransactions {
  /**
   * Runs `handler` for the batch in one transaction with the batch's offset commit. Returns false
   * when the batch was not processed because the consumer's position was behind (or ahead of) the
   * committed offset: the consumer then fetches again from the committed offset.
   */
  run(batch: Batch, handler: (context: BatchContext) => Promise<void>): Promise<boolean>;
  /** Called on every group join: the producers of the previous assignment are let go. */
  retireAll(): void;
  close(): Promise<void>;
}

/**
 * Exactly-once batches the classic Kafka way (KIP-98), one transactional producer per input
 * partition of the group, with transactional id `<groupId>|<topic>|<partition>` (a topic name has
 * no `|`, so ids never collide). Whoever processes a partition first initializes its producer:
 * that fences every older producer of the partition (a zombie's commit then fails) and waits until
 * the zombie's open transaction is aborted or committed. Only then is the group's committed offset
 * final, so it is read, and a consumer whose position differs is sent back to it before it may
 * process anything. After that, the position only moves with this producer's own commits.
 */
export const createPartitionTransactions = (
  kafka: Kafka,
  admin: Admin,
  groupId: string,
  ensureTopic: (topic: string) => Promise<void>,
  consumer: Consumer,
): PartitionTransactions => {
  const producers = new Map<string, Promise<Producer>>();
  const retired = new Set<Promise<unknown>>();

  const disconnect = (producer: Promise<Producer>) => {
    const done = producer.then((p) => p.disconnect()).catch(() => undefined);
    retired.add(done);
    void done.finally(() => retired.delete(done));
  };

  const drop = (key: string) => {
    const producer = producers.get(key);
    producers.delete(key);
    if (producer) disconnect(producer);
  };

  const committedOffset = async (topic: string, partition: number): Promise<number> => {
    const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
    const found = offsets?.partitions.find((entry) => entry.partition === partition);
    return Number(found?.offset ?? -1);
  };

  /** A fresh producer that fenced every older one; null when the consumer had to be repositioned. */
  const initialize = async (batch: Batch): Promise<Producer | null> => {
    const producer = kafka.producer({
      transactionalId: `${groupId}|${batch.topic}|${batch.partition}`,
      transactionTimeout: TRANSACTION_TIMEOUT_MS,
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
      retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: FIRST_RETRY_MS },
    });
    try {
      await producer.connect();
      // kafkajs sends InitProducerId on the first transaction(); aborting an empty one sends nothing.
      await (await producer.transaction()).abort();
      const committed = await committedOffset(batch.topic, batch.partition);
      if (committed >= 0 && committed !== fetchedOffset(batch)) {
        consumer.seek({ topic: batch.topic, partition: batch.partition, offset: String(committed) });
        await producer.disconnect();
        return null;
      }
      return producer;
    } catch (error) {
      await producer.disconnect().catch(() => undefined);
      throw error;
    }
  };

  return {
    async run(batch, handler) {
      const key = `${batch.topic}|${batch.partition}`;
      let pending = producers.get(key);
      if (!pending) {
        const fresh = await initialize(batch);
        if (!fresh) return false;
        pending = Promise.resolve(fresh);
        producers.set(key, pending);
      }
      const producer = await pending;
      let transaction: Transaction;
      try {
        transaction = await producer.transaction();
      } catch (error) {
        drop(key);
        throw error;
      }
      // A failed send dooms the transaction even if the handler catches it.
      let sendFailure: { error: unknown } | undefined;
      const produce = async (topic: string, records: readonly ProducedRecord[]) => {
        if (records.length === 0) return;
        await ensureTopic(topic);
        for (const chunk of sendChunks(records))
          await transaction
            .send({ topic, acks: -1, messages: chunk.map(kafkaMessage) })
            .catch((error: unknown) => {
              sendFailure ??= { error };
              throw error;
            });
      };
      try {
        await handler({ produce });
        if (sendFailure) throw sendFailure.error;
      } catch (error) {
        // Aborted, the producer can go on; if even that fails its state is unknown and a new one
        // (which fences this one and ends its transaction) takes over.
        await transaction.abort().catch(() => drop(key));
        throw error;
      }
      try {
        await transaction.sendOffsets({
          consumerGroupId: groupId,
          topics: [
            {
              topic: batch.topic,
              partitions: [{ partition: batch.partition, offset: String(Number(batch.lastOffset()) + 1) }],
            },
          ],
        });
        await transaction.commit();
      } catch (error) {
        // Fenced, timed out or cut off: whether the commit took effect is unknown here. The next
        // producer for this partition learns it from the committed offset after fencing this one.
        drop(key);
        throw error;
      }
      return true;
    },
    retireAll() {
      for (const key of [...producers.keys()]) drop(key);
    },
    async close() {
      this.retireAll();
      await Promise.all([...retired]);
    },
  };
};
