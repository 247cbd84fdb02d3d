import { type Admin, type Kafka, Partitioners } from 'kafkajs';
import type { RecordFormat } from '../../src/domain/pipelines/pipelineDefinition.js';
import { createOrderEncoder, isKept } from './benchOrders.js';

export const PARTITIONS = 3;
const PRODUCE_BATCH = 5_000;
const SENDS_IN_FLIGHT = 4;

export const createTopic = async (admin: Admin, topic: string) => {
  await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS }], waitForLeaders: true });
};

/**
 * Fills a fresh topic with `count` orders in the format, spread evenly over the partitions,
 * in big uncompressed batches; returns how many of them the pipeline's filter keeps.
 */
export const preProduce = async (
  kafka: Kafka,
  admin: Admin,
  topic: string,
  format: RecordFormat,
  count: number,
) => {
  await createTopic(admin, topic);
  const orders = createOrderEncoder(format);
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  let next = 0;
  let kept = 0;
  let bytes = 0;
  try {
    await Promise.all(
      Array.from({ length: SENDS_IN_FLIGHT }, async () => {
        while (next < count) {
          const first = next;
          next = Math.min(count, next + PRODUCE_BATCH);
          const messages = [];
          for (let index = first; index < next; index++) {
            const value = orders.encode(index);
            bytes += value.length;
            if (isKept(index)) kept++;
            messages.push({ key: orders.key(index), value, partition: index % PARTITIONS });
          }
          await producer.send({ topic, messages });
        }
      }),
    );
  } finally {
    await producer.disconnect();
  }
  return { kept, averageBytes: bytes / count };
};

const sum = (values: Iterable<number>) => {
  let total = 0;
  for (const value of values) total += value;
  return total;
};

/** The topic's high watermarks added up: its record count when nothing transactional wrote there. */
export const endOffsetTotal = async (admin: Admin, topic: string) =>
  sum((await admin.fetchTopicOffsets(topic)).map(({ high }) => Number(high)));

/**
 * Resolves with the time the group's committed offsets first reach the source's end on every
 * partition, polled every `everyMs`: the last batch's sink records are acknowledged by then (at
 * least once) or committed with it (exactly once).
 */
export const whenGroupCaughtUp = async (admin: Admin, groupId: string, source: string, timeoutMs: number) => {
  const ends = new Map(
    (await admin.fetchTopicOffsets(source)).map(({ partition, high }) => [partition, high]),
  );
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [committed] = await admin.fetchOffsets({ groupId, topics: [source] });
    const at = Date.now();
    if (committed?.partitions.every(({ partition, offset }) => offset === ends.get(partition))) return at;
    if (at > deadline)
      throw new Error(`group ${groupId} did not reach the end of ${source} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
};
