import { randomUUID } from 'node:crypto';
import {
  AssignerProtocol,
  type Consumer,
  Kafka,
  type logCreator,
  logLevel,
  type PartitionAssigner,
  Partitioners,
} from 'kafkajs';
import { consumedRecords, kafkaMessage, sendChunks, storedRecords } from './kafkaMessages.js';
import {
  kafkaCommittedOffsets,
  kafkaEndOffsets,
  kafkaPartitionOffsets,
  kafkaResetGroupOffsets,
} from './kafkaOffsets.js';
import { createPartitionTransactions, type PartitionTransactions } from './kafkaTransactions.js';
import {
  type BatchContext,
  type ConsumedBatch,
  type ConsumeOptions,
  DEFAULT_PARTITIONS,
  type Log,
  type LogConsumer,
  type ProducedRecord,
  type StoredRecord,
  type TopicOptions,
} from './log.js';

export interface KafkaLogOptions {
  brokers: string[];
  clientId?: string;
  /** kafkajs' own log level; WARN by default, since INFO narrates every join and connection. */
  logLevel?: logLevel;
  /**
   * How long the group coordinator waits for a silent consumer before giving its partitions to
   * the others: 10 s by default, not kafkajs' 30 s, because a member that died (killed, or
   * rejoining under a new id after a broker restart) holds its partitions that long.
   */
  sessionTimeoutMs?: number;
}

// Beats during a batch, well inside the session timeout, so a slow handler keeps its partitions.
const HEARTBEAT_EVERY_MS = 1_000;
const DEFAULT_SESSION_TIMEOUT_MS = 10_000;
// Bounds how long `consume` waits for kafkajs to look up where a new group starts.
const START_LOOKUP_TIMEOUT_MS = 15_000;
// A consumer kafkajs gave up on is started again after 1 s, then up to every 10 s.
const RESTART_FIRST_MS = 1_000;
const RESTART_MAX_MS = 10_000;

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
  let closed = false;

  const ensureTopic = (topic: string, topicOptions: TopicOptions = {}): Promise<void> => {
    const { partitions = DEFAULT_PARTITIONS, compacted = false } = topicOptions;
    let created = knownTopics.get(topic);
    if (!created) {
      created = (async () => {
        await adminReady();
        // Asking first keeps kafkajs from logging an error response for every topic that exists.
        if ((await admin.listTopics()).includes(topic)) return;
        // A concurrent creator can still win the race; that one error is fine to ignore.
        await admin
          .createTopics({
            topics: [
              {
                topic,
                numPartitions: partitions,
                configEntries: compacted ? [{ name: 'cleanup.policy', value: 'compact' }] : [],
              },
            ],
            waitForLeaders: true,
          })
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
    // kafkajs consumers read committed records only (readUncommitted is false by default).
    const consumer = kafka.consumer({
      groupId,
      allowAutoTopicCreation: false,
      maxWaitTimeInMs: 500,
      sessionTimeout: options.sessionTimeoutMs ?? DEFAULT_SESSION_TIMEOUT_MS,
      heartbeatInterval: 1_000,
    });
    const transactions = consumeOptions.transactional
      ? createPartitionTransactions(kafka, admin, groupId, ensureTopic, consumer)
      : undefined;
    const startsLookedUp = startLookup(consumer);
    let assigned: string[] = [];
    let assignment = 0;
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      assignment += 1;
      assigned = Object.entries(payload.memberAssignment).flatMap(([topic, partitions]) =>
        partitions.map((partition) => `${topic}/${partition}`),
      );
      // Joins happen between batches. Partitions kept may have had another owner in between, so
      // every partition's producer starts afresh (fencing the others, checking the position).
      transactions?.retireAll();
      restarts.succeeded();
    });
    const run = () => runBatches(consumer, consumeOptions, transactions, produce, () => assignment);
    const restarts = restartOnCrash(consumer, groupId, run);
    await consumer.connect();
    try {
      await consumer.subscribe({ topics: [...topics], fromBeginning });
      await run();
      // run() resolves once the group is joined, but kafkajs looks up "the end" of a partition the
      // group never committed only in its first fetch. Until then a record produced now could fall
      // before that end and be skipped, so `consume` resolves after the lookup.
      if (!fromBeginning && assigned.some((partition) => uncommitted.has(partition))) await startsLookedUp;
    } catch (error) {
      restarts.stop();
      await consumer.disconnect().catch(() => undefined);
      await transactions?.close();
      throw error;
    }
    const logConsumer: LogConsumer = {
      stop: once(async () => {
        restarts.stop();
        // Waits for the batch in hand and its commit, then leaves the group so others take over at once.
        await consumer.disconnect();
        await transactions?.close();
        consumers.delete(logConsumer);
      }),
    };
    consumers.add(logConsumer);
    return logConsumer;
  };

  // kafkajs gives up once its retries are spent (about 10 s of outage), so produce tries again
  // until the broker is back. The idempotent producer keeps the sequence numbers of a failed
  // send, so records that did reach the broker before are not written twice.
  const produce = async (topic: string, records: readonly ProducedRecord[]) => {
    for (const chunk of sendChunks(records)) await sendChunk(topic, chunk);
  };
  // One chunk at a time, each retried on its own: a chunk that was sent is never sent again.
  const sendChunk = async (topic: string, records: readonly ProducedRecord[]) => {
    for (let failures = 0; ; failures++) {
      try {
        await Promise.all([ensureTopic(topic), producerReady()]);
        await producer.send({ topic, acks: -1, messages: records.map(kafkaMessage) });
        return;
      } catch (error) {
        if (closed || !isRetriable(error)) throw error;
        if (failures === 0)
          report('warn', 'kafka produce waits for the broker', { topic, message: messageOf(error) });
        await new Promise((resolve) =>
          setTimeout(resolve, Math.min(RESTART_FIRST_MS * 2 ** failures, RESTART_MAX_MS)),
        );
      }
    }
  };

  /**
   * kafkajs has no manual assignment (the Java client's assign()), so a partition is read by a
   * short-lived consumer in a group of its own, whose assigner gives it just that partition: the
   * public API, no fetch internals, and no pausing of partitions it should never have been given.
   * It never commits, and its group is deleted afterwards. Joining costs a group round trip (plus
   * the broker's group.initial.rebalance.delay.ms, 3 s by default: set it to 0 where restores
   * should be quick). The end is Kafka's last stable offset when called; transaction markers take
   * offsets but reach no handler, so the read ends when kafkajs' batch end passes it, as its
   * END_BATCH_PROCESS event reports for data and marker-only batches alike. (A fetch that finds
   * nothing reports no batch, so the last offset before the end must exist: it does, since
   * compaction never touches the active segment, which holds a partition's newest records.)
   */
  const readPartition = async (
    topic: string,
    partition: number,
    eachRecords: (records: StoredRecord[]) => Promise<void> | void,
  ): Promise<void> => {
    if (!(await topicExists(topic))) return;
    const offsets = await kafkaPartitionOffsets(admin, topic);
    const bounds = offsets.find((entry) => entry.partition === partition);
    if (!bounds) throw new RangeError(`Topic ${topic} has no partition ${partition}`);
    const end = Number(bounds.high);
    if (Number(bounds.low) >= end) return;
    const groupId = `tributary.read.${randomUUID()}`;
    const consumer = kafka.consumer({
      groupId,
      allowAutoTopicCreation: false,
      maxWaitTimeInMs: 100,
      partitionAssigners: [onePartitionAssigner(topic, partition)],
    });
    let finished: (() => void) | undefined;
    let failed: ((error: unknown) => void) | undefined;
    const done = new Promise<void>((resolve, reject) => {
      finished = resolve;
      failed = reject;
    });
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      if (payload.partition === partition && Number(payload.lastOffset) + 1 >= end) finished?.();
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (!payload.restart) failed?.(payload.error);
    });
    try {
      await consumer.connect();
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          // Records produced after the call are past the end the caller asked for.
          const records = storedRecords(topic, partition, batch.messages).filter(
            (record) => record.offset < end,
          );
          if (records.length > 0) await eachRecords(records);
        },
      });
      await done;
    } finally {
      await consumer.disconnect().catch(() => undefined);
      await admin.deleteGroups([groupId]).catch(() => undefined);
    }
  };

  const topicExists = async (topic: string) => {
    await adminReady();
    return knownTopics.has(topic) || (await admin.listTopics()).includes(topic);
  };

  return {
    ensureTopic: (topic, topicOptions) => ensureTopic(topic, topicOptions),
    produce,
    consume,
    readPartition,
    async endOffsets(topic) {
      return (await topicExists(topic)) ? kafkaEndOffsets(admin, topic) : new Map();
    },
    async committedOffsets(groupId, topic) {
      return (await topicExists(topic)) ? kafkaCommittedOffsets(admin, groupId, topic) : new Map();
    },
    async resetGroupOffsets(groupId, topic, to) {
      await Promise.all([adminReady(), ensureTopic(topic)]);
      await kafkaResetGroupOffsets(admin, groupId, topic, to);
    },
    close: once(async () => {
      closed = true;
      await Promise.all([...consumers].map((consumer) => consumer.stop()));
      await Promise.all([producer.disconnect(), admin.disconnect()]);
    }),
  };
};

/** Gives the one partition to the group's first member: the group of a `readPartition` has one. */
const onePartitionAssigner =
  (topic: string, partition: number): PartitionAssigner =>
  () => ({
    name: 'TributaryOnePartition',
    version: 0,
    async assign({ members }) {
      return members.map(({ memberId }, index) => ({
        memberId,
        memberAssignment: AssignerProtocol.MemberAssignment.encode({
          version: 0,
          assignment: index === 0 ? { [topic]: [partition] } : {},
          userData: Buffer.alloc(0),
        }),
      }));
    },
    protocol({ topics }) {
      return {
        name: 'TributaryOnePartition',
        metadata: AssignerProtocol.MemberMetadata.encode({ version: 0, topics, userData: Buffer.alloc(0) }),
      };
    },
  });

/**
 * Commits a batch only after its handler resolved: the offsets are resolved by hand and committed
 * explicitly, so a handler that throws leaves them where they were and kafkajs fetches the batch
 * again from the last resolved offset. A transactional batch commits its offset in its transaction
 * instead; resolving it still moves the consumer's fetch position.
 */
const runBatches = (
  consumer: Consumer,
  options: ConsumeOptions,
  transactions: PartitionTransactions | undefined,
  produce: BatchContext['produce'],
  assignment: () => number,
) =>
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
      const consumed: ConsumedBatch = {
        topic: batch.topic,
        partition: batch.partition,
        records: consumedRecords(batch.topic, batch.partition, batch.messages),
        assignment: assignment(),
      };
      const beat = setInterval(() => void heartbeat().catch(() => undefined), HEARTBEAT_EVERY_MS);
      try {
        if (transactions) {
          const processed = await transactions
            .run(batch, (context) => options.eachBatch(consumed, context))
            .catch((error: unknown) => {
              if (isFenced(error)) reportTakenOver(options.groupId, batch.topic, batch.partition);
              throw error;
            });
          if (processed) resolveOffset(last.offset);
          return;
        }
        await options.eachBatch(consumed, { produce });
      } finally {
        clearInterval(beat);
      }
      resolveOffset(last.offset);
      // With explicit offsets this commits even while the consumer is stopping: stop() promises it.
      await commitOffsetsIfNecessary(uncommittedOffsets());
    },
  });

/**
 * kafkajs restarts a crashed consumer itself only when the cause was retriable; a handler's
 * TypeError, a fenced producer or some errors of a long broker outage stop it for good. Those are
 * restarted here, with a growing delay, so a processor outlives them (the batch comes again).
 */
const restartOnCrash = (consumer: Consumer, groupId: string, run: () => Promise<void>) => {
  let stopped = false;
  let failures = 0;
  let timer: NodeJS.Timeout | undefined;
  const restart = () => {
    timer = undefined;
    if (stopped) return;
    // A failing run() crashes again, which schedules the next attempt.
    void run().catch((error: unknown) => {
      report('warn', 'kafka consumer could not restart', { groupId, message: messageOf(error) });
      schedule();
    });
  };
  const schedule = () => {
    if (stopped || timer) return;
    failures++;
    timer = setTimeout(restart, Math.min(RESTART_FIRST_MS * 2 ** (failures - 1), RESTART_MAX_MS));
  };
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    report('warn', 'kafka consumer crashed', {
      groupId,
      message: messageOf(payload.error),
      restartedBy: payload.restart ? 'kafkajs' : 'kafkaLog',
    });
    if (!payload.restart) schedule();
  });
  return {
    succeeded: () => {
      failures = 0;
    },
    stop: () => {
      stopped = true;
      clearTimeout(timer);
    },
  };
};

// Whatever kafkajs would retry had it not run out of retries: connections refused or closed,
// timeouts, leaders and coordinators moving.
const isRetriable = (error: unknown): boolean => {
  let cause = error as { retriable?: boolean; cause?: unknown } | undefined;
  while (cause?.cause) cause = cause.cause as typeof cause;
  return cause?.retriable === true;
};

// A newer producer with this partition's transactional id exists: another consumer owns it now.
const isFenced = (error: unknown): boolean => {
  const { type, code } = (error as { type?: string; code?: number }) ?? {};
  return type === 'INVALID_PRODUCER_EPOCH' || code === 90;
};

const reportTakenOver = (groupId: string, topic: string, partition: number) =>
  report('warn', 'partition taken over by another consumer; its batch was not committed here', {
    groupId,
    topic,
    partition,
  });

const report = (level: 'warn' | 'error', msg: string, fields: object) =>
  process.stderr.write(`${JSON.stringify({ level, time: new Date().toISOString(), msg, ...fields })}\n`);

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

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
// Its connections also log every error response and failed connect, and its producers every failed
// send, retried or not; whatever outlives the retries reaches the caller or the consumer's crash
// lines, so those are left out.
const jsonLinesToStderr: logCreator =
  () =>
  ({ namespace, level, log }) => {
    const { message, timestamp, logger: _logger, ...details } = log;
    if (namespace === 'Connection' && message.startsWith('Response ')) return;
    if (namespace === 'Producer' && message.startsWith('Failed to send messages')) return;
    if (namespace === 'Connection' && message.startsWith('Connection error')) return;
    if (namespace === 'BrokerPool' && message.startsWith('Failed to connect to seed broker')) return;
    const fields = Object.fromEntries(
      Object.entries(details).map(([key, value]) => [key, value instanceof Error ? value.message : value]),
    );
    process.stderr.write(
      `${JSON.stringify({ level: levelNames[level] ?? level, time: timestamp, source: `kafkajs:${namespace}`, msg: message, ...fields })}\n`,
    );
  };
