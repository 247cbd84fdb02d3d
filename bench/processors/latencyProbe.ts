import { type Kafka, Partitioners } from 'kafkajs';
import { createOrderEncoder, isKept } from './benchOrders.js';

const TICK_MS = 10;

export interface LatencyProbeOptions {
  kafka: Kafka;
  source: string;
  sink: string;
  recordsPerSecond: number;
  warmUpSeconds: number;
  measureSeconds: number;
}

/**
 * Produces JSON orders to `source` at a steady rate (one batch every 10 ms, each record stamped
 * with the time of its send) and reads `sink` as it fills; returns each record's time from its
 * produce call to its arrival at the sink consumer, in ms, for records sent after the warm-up.
 * Both pipes keep the record's timestamp, so it travels with the record. Orders the filter drops
 * never arrive and are not waited for.
 */
export const probeLatency = async (options: LatencyProbeOptions): Promise<number[]> => {
  const { kafka, source, sink, recordsPerSecond } = options;
  const orders = createOrderEncoder('json');
  const perTick = Math.round((recordsPerSecond * TICK_MS) / 1000);
  const ticks = Math.round(((options.warmUpSeconds + options.measureSeconds) * 1000) / TICK_MS);
  const warmUpTicks = Math.round((options.warmUpSeconds * 1000) / TICK_MS);
  let expected = 0;
  for (let index = warmUpTicks * perTick; index < ticks * perTick; index++) if (isKept(index)) expected++;

  const latencies: number[] = [];
  let measureFrom = Number.POSITIVE_INFINITY;
  let allArrived: () => void = () => undefined;
  const arrived = new Promise<void>((resolve) => {
    allArrived = resolve;
  });
  const consumer = kafka.consumer({ groupId: `${sink}.probe`, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topics: [sink], fromBeginning: true });
  const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
  await consumer.run({
    eachBatch: async ({ batch }) => {
      const now = Date.now();
      for (const message of batch.messages) {
        const sentAt = Number(message.timestamp);
        if (sentAt >= measureFrom) latencies.push(now - sentAt);
      }
      if (latencies.length >= expected) allArrived();
    },
  });
  await joined;

  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  try {
    const sends: Promise<unknown>[] = [];
    const started = Date.now();
    for (let tick = 0; tick < ticks; tick++) {
      // Sends on schedule even when one falls behind, as independent clients would.
      const due = started + tick * TICK_MS;
      if (due > Date.now()) await new Promise((resolve) => setTimeout(resolve, due - Date.now()));
      const sentAt = Date.now();
      if (tick === warmUpTicks) measureFrom = sentAt;
      const messages = [];
      for (let index = tick * perTick; index < (tick + 1) * perTick; index++) {
        messages.push({ key: orders.key(index), value: orders.encode(index), timestamp: String(sentAt) });
      }
      sends.push(producer.send({ topic: source, messages }));
    }
    await Promise.all(sends);
    const timeout = new Promise((resolve) => setTimeout(resolve, 30_000).unref());
    await Promise.race([arrived, timeout]);
    if (latencies.length < expected) {
      process.stderr.write(`latency probe: ${latencies.length} of ${expected} records arrived within 30 s\n`);
    }
    return latencies;
  } finally {
    await producer.disconnect();
    await consumer.disconnect();
  }
};
