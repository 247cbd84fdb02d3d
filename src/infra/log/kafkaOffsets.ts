import type { Admin } from 'kafkajs';
import type { OffsetReset } from './log.js';

/**
 * Per partition, the end as a read-committed consumer sees it: Kafka's last stable offset, which
 * is the high watermark while no transaction is open. Transaction markers take offsets of their
 * own, so a lag computed from it overcounts by one per transaction since the consumer's position
 * (and a consumer at the end may still show a lag of one).
 */
export const kafkaEndOffsets = async (admin: Admin, topic: string): Promise<Map<number, number>> => {
  const offsets = await whileRetriable(() => admin.fetchTopicOffsets(topic));
  return new Map(offsets.map(({ partition, high }) => [partition, Number(high)]));
};

/** Per partition, the oldest offset still held (low) and the end (high, as above). */
export const kafkaPartitionOffsets = (admin: Admin, topic: string) =>
  whileRetriable(() => admin.fetchTopicOffsets(topic));

/** Per partition, the group's committed offset; partitions it never committed are left out. */
export const kafkaCommittedOffsets = async (
  admin: Admin,
  groupId: string,
  topic: string,
): Promise<Map<number, number>> => {
  const [offsets] = await whileRetriable(() => admin.fetchOffsets({ groupId, topics: [topic] }));
  return new Map(
    (offsets?.partitions ?? [])
      .map(({ partition, offset }) => [partition, Number(offset)] as const)
      .filter(([, offset]) => offset >= 0),
  );
};

/**
 * Commits the group's new offsets as plain numbers. kafkajs' own resetOffsets commits the
 * sentinel -2 or -1, which a later consumer reads as "no offset" and replaces with its own
 * fromBeginning choice, so earliest is looked up here instead. setOffsets refuses a group with
 * running members, as the port requires.
 */
export const kafkaResetGroupOffsets = async (
  admin: Admin,
  groupId: string,
  topic: string,
  to: OffsetReset,
): Promise<void> => {
  const bounds = await whileRetriable(() => admin.fetchTopicOffsets(topic));
  const byTimestamp =
    typeof to === 'object' && 'timestamp' in to
      ? new Map(
          (await admin.fetchTopicOffsetsByTimestamp(topic, to.timestamp)).map(({ partition, offset }) => [
            partition,
            Number(offset),
          ]),
        )
      : undefined;
  const partitions = bounds.map(({ partition, low, high }) => {
    const [first, end] = [Number(low), Number(high)];
    const wanted =
      to === 'earliest'
        ? first
        : 'offset' in to
          ? to.offset
          : // No record at or after the timestamp: the end.
            (byTimestamp?.get(partition) ?? end);
    return { partition, offset: String(Math.min(Math.max(wanted, first), end)) };
  });
  await admin.setOffsets({ groupId, topic, partitions });
};

// Right after a broker restart it answers "does not host this topic-partition" until it has
// loaded its partitions again; kafkajs' admin gives up on that at once. A query asked then is
// tried again for a while, as produce and consume wait out an outage.
const RETRY_FOR_MS = 30_000;

const whileRetriable = async <T>(query: () => Promise<T>): Promise<T> => {
  const deadline = Date.now() + RETRY_FOR_MS;
  for (let delay = 100; ; delay = Math.min(delay * 2, 2_000)) {
    try {
      return await query();
    } catch (error) {
      if (!isRetriable(error) || Date.now() + delay > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
};

const isRetriable = (error: unknown): boolean => {
  const { retriable, type, cause } = (error ?? {}) as { retriable?: boolean; type?: string; cause?: unknown };
  return (
    retriable === true || type === 'UNKNOWN_TOPIC_OR_PARTITION' || (cause !== undefined && isRetriable(cause))
  );
};
