import {
  type Consumer,
  type IHeaders,
  Kafka,
  type KafkaMessage,
  type logCreator,
  logLevel,
  Partitioners,
} from 'kafkajs';
import {
  type ConsumedRecord,
  type ConsumeOptions,
  DEFAULT_PARTITIONS,
  type Log,
  type LogConsumer,
  type LogRecord,
} from './log.js';

export interface KafkaLogOptions {
  brokers: string[];
  clientId?: string;
  /** kafkajs' own log level; WARN by default, since INFO narrates every join and connection. */
  logLevel?: logLevel;
}

// A handler slower than the session timeout (30 s) would get its consumer evicted mid-batch.
const HEARTBEAT_EVERY_MS = 3_000;
// Bounds how long `consume` waits for kafkajs to look up where a new group starts.
const START_LOOKUP_TIMEOUT_MS = 15_000;

/**
 * The log on Apache Kafka. The producer is idempotent (acks from all in-sync replicas, one request
 * in flight, so a retry neither duplicates nor reorders); kafkajs then retries without limit, so
 * `produce` waits out a broker outage instead of failing. Keys are partitioned with murmur2 like
 * the Java client. Each `consume` is one kafkajs consumer in the group, so the group balances
 * partitions across consumers and processes.
 */
export const createKafkaLog = (options: KafkaLogOptions): Log => {
  const kafka = new Kafka({
    brokers: options.brokers,
    clientId: options.clientId ?? 'tributary',
    logLevel: options.logLevel ?? logLevel.WARN,
    logCreator: jsonLinesToStderr,
  });
  const admin = kafka.admin();
  // Passing the partitioner explicitly also silences kafkajs' warning about its v2 default change.
  const producer = kafka.producer({
    createPartitioner: Partitioners.DefaultPartitioner,
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
  });
  const adminReady = once(() => admin.connect());
  const producerReady = once(() => producer.connect());
  const knownTopics = new Map<string, Promise<void>>();
  const consumers = new Set<LogConsumer>();

  const ensureTopic = (topic: string, partitions = DEFAULT_PARTITIONS): Promise<void> => {
    let created = knownTopics.get(topic);
    if (!created) {
      created = (async () => {
        await adminReady();
        // Asking first keeps kafkajs from logging an error response for every topic that exists.
        if ((await admin.listTopics()).includes(topic)) return;
        // A concurrent creator can still win the race; that one error is fine to ignore.
        await admin
          .createTopics({ topics: [{ topic, numPartitions: partitions }], waitForLeaders: true })
          .catch((error: unknown) => {
            if (!isTopicAlreadyThere(error)) throw error;
          });
      })();
      created.catch(() => knownTopics.delete(topic));
      knownTopics.set(topic, created);
    }
    return created;
  };

  const consume = async (consumeOptions: ConsumeOptions): Promise<LogConsumer> => {
    const { groupId, topics, fromBeginning = false } = consumeOptions;
    await Promise.all([adminReady(), ...topics.map((topic) => ensureTopic(topic))]);
    const committed = await admin.fetchOffsets({ groupId, topics: [...topics] });
    const uncommitted = new Set(
      committed.flatMap(({ topic, partitions }) =>
        partitions.filter(({ offset }) => offset === '-1').map(({ partition }) => `${topic}/${partition}`),
      ),
    );
    // The Java client's fetch.max.wait.ms: an idle long poll, and so stop(), ends within half a second.
    const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false, maxWaitTimeInMs: 500 });
    const startsLookedUp = startLookup(consumer);
    let assigned: string[] = [];
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      assigned = Object.entries(payload.memberAssignment).flatMap(([topic, partitions]) =>
        partitions.map((partition) => `${topic}/${partition}`),
      );
    });
    await consumer.connect();
    try {
      await consumer.subscribe({ topics: [...topics], fromBeginning });
      await runBatches(consumer, consumeOptions);
      // run() resolves once the group is joined, but kafkajs looks up "the end" of a partition the
      // group never committed only in its first fetch. Until then a record produced now could fall
      // before that end and be skipped, so `consume` resolves after the lookup.
      if (!fromBeginning && assigned.some((partition) => uncommitted.has(partition))) await startsLookedUp;
    } catch (error) {
      await consumer.disconnect().catch(() => undefined);
      throw error;
    }
    const logConsumer: LogConsumer = {
      stop: once(async () => {
        // Waits for the batch in hand and its commit, then leaves the group so others take over at once.
        await consumer.disconnect();
        consumers.delete(logConsumer);
      }),
    };
    consumers.add(logConsumer);
    return logConsumer;
  };

  return {
    ensureTopic: (topic, topicOptions) => ensureTopic(topic, topicOptions?.partitions),
    async produce(topic, records) {
      if (records.length === 0) return;
      await Promise.all([ensureTopic(topic), producerReady()]);
      await producer.send({ topic, acks: -1, messages: records.map(toMessage) });
    },
    consume,
    close: once(async () => {
      await Promise.all([...consumers].map((consumer) => consumer.stop()));
      await Promise.all([producer.disconnect(), admin.disconnect()]);
    }),
  };
};

/**
 * Commits a batch only after its handler resolved: the offsets are resolved by hand and committed
 * explicitly, so a handler that throws leaves them where they were and kafkajs fetches the batch again.
 */
const runBatches = (consumer: Consumer, options: ConsumeOptions) =>
  consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    eachBatch: async ({
      batch,
      resolveOffset,
      heartbeat,
      commitOffsetsIfNecessary,
      uncommittedOffsets,
      isStale,
    }) => {
      const last = batch.messages.at(-1);
      // Stale: the partition was revoked or seeked meanwhile, and whoever owns it now delivers it.
      if (!last || isStale()) return;
      const records = batch.messages.map((message) =>
        toConsumedRecord(batch.topic, batch.partition, message),
      );
      const beat = setInterval(() => void heartbeat().catch(() => undefined), HEARTBEAT_EVERY_MS);
      try {
        await options.eachBatch({ topic: batch.topic, partition: batch.partition, records });
      } finally {
        clearInterval(beat);
      }
      resolveOffset(last.offset);
      // With explicit offsets this commits even while the consumer is stopping: stop() promises it.
      await commitOffsetsIfNecessary(uncommittedOffsets());
    },
  });

/** Resolves after the consumer's first ListOffsets answer (or a timeout, so a lookup never hangs `consume`). */
const startLookup = (consumer: Consumer) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(done, START_LOOKUP_TIMEOUT_MS).unref();
    const off = consumer.on(consumer.events.REQUEST, ({ payload }) => {
      if (payload.apiName === 'ListOffsets') done();
    });
    function done() {
      clearTimeout(timer);
      off();
      resolve();
    }
  });

const toMessage = (record: LogRecord) => ({
  key: record.key,
  value: record.value,
  headers: record.headers,
  partition: record.partition,
  timestamp: record.timestamp === undefined ? undefined : String(record.timestamp),
});

const toConsumedRecord = (topic: string, partition: number, message: KafkaMessage): ConsumedRecord => ({
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

const isTopicAlreadyThere = (error: unknown): boolean =>
  JSON.stringify((error as { errors?: unknown })?.errors ?? '').includes('TOPIC_ALREADY_EXISTS') ||
  (error as { type?: string })?.type === 'TOPIC_ALREADY_EXISTS';

/** Calls `fn` once; later calls share its promise (a failed call may be tried again). */
const once = <T>(fn: () => Promise<T>): (() => Promise<T>) => {
  let pending: Promise<T> | undefined;
  return () => {
    pending ??= fn().catch((error: unknown) => {
      pending = undefined;
      throw error;
    });
    return pending;
  };
};

// kafkajs' levels are a plain object at runtime, without the reverse mapping a TypeScript enum has.
const levelNames: Partial<Record<logLevel, string>> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

// kafkajs logs WARN and ERROR only (see logLevel above), one JSON object a line, like our own logs.
// Its connections also log every error response, retried or not; whatever outlives the retries
// reaches the caller or the consumer's own log lines, so those are left out.
const jsonLinesToStderr: logCreator =
  () =>
  ({ namespace, level, log }) => {
    const { message, timestamp, logger: _logger, ...details } = log;
    if (namespace === 'Connection' && message.startsWith('Response ')) return;
    const fields = Object.fromEntries(
      Object.entries(details).map(([key, value]) => [key, value instanceof Error ? value.message : value]),
    );
    process.stderr.write(
      `${JSON.stringify({ level: levelNames[level] ?? level, time: timestamp, source: `kafkajs:${namespace}`, msg: message, ...fields })}\n`,
    );
  };
