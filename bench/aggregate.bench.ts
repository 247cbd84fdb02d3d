/**
 * Windowed aggregation on Kafka: `npm run bench:aggregate`.
 *
 * Throughput: one processor process runs a version whose only step is aggregate (tumbling
 * windows of 1 minute, 10,000 keys, sum and count; at least once) over BENCH_RECORDS (1M) JSON
 * sales in 3 partitions, spread over 10 minutes of event time. Baseline, in the same run, on the
 * same source: the bare kafkajs consume → produce pipe of bench:processors (bench/processors/
 * barePipe.ts), which copies each batch. Both count input records per second from the first
 * fetched batch to the group's committed offsets reaching the end of the source, each in a child
 * process of its own (this file, forked), so its peak RSS is its own. Ours also decodes, keys,
 * accumulates, writes the window results (100k for 1M records) and the state's changes to its
 * changelog (one entry per key and window touched in a batch, plus tombstones as windows close).
 *
 * Restore: a changelog holding BENCH_RESTORE_KEYS (1M) open windows, written by the window engine
 * itself, is restored as a processor restores it (readPartition, last value per key, the engine's
 * restore) for each of its 3 partitions. Baseline: a bare kafkajs consumer in a fresh group
 * reading the same changelog to its end, decoding nothing: the floor of any restore from Kafka.
 *
 * Starts its own broker (tests/setup/kafkaBroker.ts) unless KAFKA_BROKERS names one.
 */

import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { type Admin, Kafka, logLevel, Partitioners } from 'kafkajs';
import { pino } from 'pino';
import type { AggregateStep, PipelineDefinition } from '../src/domain/pipelines/pipelineDefinition.js';
import { createKafkaLog } from '../src/infra/log/kafkaLog.js';
import type { Log } from '../src/infra/log/log.js';
import { createAggregateEngine } from '../src/processors/aggregate/aggregateEngine.js';
import { openWindowStateStore } from '../src/processors/aggregate/windowStateStore.js';
import { startPipelineProcessor } from '../src/processors/pipelineProcessor.js';
import { type KafkaBroker, startKafkaBroker } from '../tests/setup/kafkaBroker.js';
import { benchLine } from './benchLine.js';
import { reportLoad } from './benchServices.js';
import { startBarePipe } from './processors/barePipe.js';
import { createTopic, endOffsetTotal, PARTITIONS, whenGroupCaughtUp } from './processors/benchKafka.js';

const RECORDS = Number(process.env.BENCH_RECORDS ?? 1_000_000);
const RESTORE_KEYS = Number(process.env.BENCH_RESTORE_KEYS ?? 1_000_000);
const KEYS = 10_000;
const WINDOW_MS = 60_000;
const EVENT_SPAN_MS = 10 * WINDOW_MS;
const T0 = Date.UTC(2026, 0, 1);
const PRODUCE_BATCH = 5_000;
const CATCH_UP_TIMEOUT_MS = 120_000 + RECORDS / 5;

const aggregateStep: AggregateStep = {
  kind: 'aggregate',
  window: { type: 'tumbling', sizeMs: WINDOW_MS },
  key: 'customer',
  measures: [
    { name: 'total', fn: 'sum', expression: 'amount' },
    { name: 'sales', fn: 'count' },
  ],
};

const salesDefinition = (source: string, sink: string): PipelineDefinition => ({
  source: { topic: source, format: 'json' },
  steps: [aggregateStep],
  sink: { topic: sink, format: 'json' },
});

const saleTime = (index: number, count: number) => T0 + Math.floor((index * EVENT_SPAN_MS) / count);

// ---- the child: one pipe, forked with its options as the one argument (see pipeRunner.ts) ----

interface ChildOptions {
  pipe: 'ours' | 'bare';
  brokers: string[];
  groupId: string;
  source: string;
  sink: string;
}

type FromChild =
  | { type: 'ready' }
  | { type: 'firstBatch'; at: number }
  | { type: 'stopped'; maxRssKb: number };

const runChild = async (options: ChildOptions) => {
  const send = (message: FromChild) => process.send!(message);
  let seen = false;
  const batchStarts = () => {
    if (seen) return;
    seen = true;
    send({ type: 'firstBatch', at: Date.now() });
  };
  let stop: () => Promise<void>;
  if (options.pipe === 'ours') {
    const log = createKafkaLog({ brokers: options.brokers, clientId: 'bench-aggregate' });
    const timed: Log = {
      ...log,
      consume: (consume) =>
        log.consume({
          ...consume,
          eachBatch: (batch, context) => {
            batchStarts();
            return consume.eachBatch(batch, context);
          },
        }),
    };
    const running = await startPipelineProcessor({
      log: timed,
      logger: pino({ level: 'warn' }),
      pipelineId: options.groupId,
      version: 1,
      groupId: options.groupId,
      definition: salesDefinition(options.source, options.sink),
    });
    stop = async () => {
      await running.stop();
      await log.close();
    };
  } else {
    const bare = await startBarePipe({
      kafka: new Kafka({ brokers: options.brokers, clientId: 'bench-bare', logLevel: logLevel.NOTHING }),
      groupId: options.groupId,
      source: options.source,
      sink: options.sink,
      transactional: false,
      onBatchStart: batchStarts,
    });
    stop = () => bare.stop();
  }
  process.on('message', (message: { type: string }) => {
    if (message.type !== 'stop') return;
    void stop().then(() => {
      send({ type: 'stopped', maxRssKb: process.resourceUsage().maxRSS });
      process.disconnect();
    });
  });
  send({ type: 'ready' });
};

// ---- the parent ----

const startPipe = async (options: ChildOptions) => {
  const child = fork(fileURLToPath(import.meta.url), ['child', JSON.stringify(options)], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const next = <Type extends FromChild['type']>(type: Type) =>
    new Promise<Extract<FromChild, { type: Type }>>((resolve, reject) => {
      const listen = (message: FromChild) => {
        if (message.type !== type) return;
        child.off('message', listen);
        resolve(message as Extract<FromChild, { type: Type }>);
      };
      child.on('message', listen);
      child.once('exit', (code) => reject(new Error(`${options.pipe} pipe exited (${code}) before ${type}`)));
    });
  const firstBatch = next('firstBatch');
  firstBatch.catch(() => undefined);
  await next('ready');
  return {
    firstBatch,
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
    stop: async () => {
      const stopped = next('stopped');
      child.send({ type: 'stop' });
      return stopped;
    },
  };
};

const measureThroughput = async (
  admin: Admin,
  brokers: string[],
  runId: string,
  pipe: 'ours' | 'bare',
  source: string,
) => {
  const sink = `bench.aggregate.${runId}.${pipe}.sink`;
  const groupId = `bench.aggregate.${runId}.${pipe}.group`;
  await createTopic(admin, sink);
  const running = await startPipe({ pipe, brokers, groupId, source, sink });
  try {
    const first = await running.firstBatch;
    const doneAt = await whenGroupCaughtUp(admin, groupId, source, CATCH_UP_TIMEOUT_MS);
    const { maxRssKb } = await running.stop();
    const seconds = (doneAt - first.at) / 1000;
    const written = await endOffsetTotal(admin, sink);
    process.stderr.write(`${pipe}: ${RECORDS} records in ${seconds.toFixed(2)} s, sink ${written} records\n`);
    reportLoad(`after ${pipe}`);
    return { recordsPerSecond: RECORDS / seconds, maxRssMb: maxRssKb / 1024 };
  } finally {
    running.kill();
    await admin.deleteTopics({ topics: [sink] }).catch(() => undefined);
  }
};

const produceSales = async (kafka: Kafka, admin: Admin, topic: string) => {
  await createTopic(admin, topic);
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  try {
    for (let first = 0; first < RECORDS; first += PRODUCE_BATCH) {
      const messages = [];
      for (let index = first; index < Math.min(RECORDS, first + PRODUCE_BATCH); index++) {
        const key = index % KEYS;
        messages.push({
          key: `c${key}`,
          value: JSON.stringify({ customer: `c${key}`, amount: (index % 97) + 0.5 }),
          // Keyed as a producer would key them: a customer's sales in one partition.
          partition: key % PARTITIONS,
          timestamp: String(saleTime(index, RECORDS)),
        });
      }
      await producer.send({ topic, messages });
    }
  } finally {
    await producer.disconnect();
  }
};

/**
 * A changelog of RESTORE_KEYS open windows, as a processor writes it: the engine takes one sale
 * per key into one window, and its drained changes go to the topic's partition of that engine.
 */
const writeChangelog = async (log: Log, topic: string) => {
  const engine = createAggregateEngine(aggregateStep, 0);
  await log.ensureTopic(topic, { partitions: PARTITIONS, compacted: true });
  for (let partition = 0; partition < PARTITIONS; partition++) {
    const aggregator = engine.forPartition(partition);
    const context = { partition, timestamp: T0, offset: 0 };
    for (let key = partition; key < RESTORE_KEYS; key += PARTITIONS) {
      context.offset = key;
      aggregator.add({ customer: `k${key}`, amount: key % 13 }, context);
    }
    const changes = aggregator.drainChanges();
    for (let first = 0; first < changes.length; first += PRODUCE_BATCH)
      await log.produce(
        topic,
        changes
          .slice(first, first + PRODUCE_BATCH)
          .map(({ key, value }) => ({ key: Buffer.from(key), value, partition })),
      );
  }
};

/** A processor's restore of every partition, as after a restart: seconds and windows restored. */
const timeRestore = async (brokers: string[], topic: string, source: string) => {
  const log = createKafkaLog({ brokers, clientId: 'bench-restore' });
  try {
    const store = await openWindowStateStore({
      log,
      engine: createAggregateEngine(aggregateStep, 0),
      topic,
      sourceTopic: source,
    });
    const started = performance.now();
    let windows = 0;
    for (let partition = 0; partition < PARTITIONS; partition++)
      windows += (await store.aggregatorFor(partition, 0)).openWindows;
    return { seconds: (performance.now() - started) / 1000, windows };
  } finally {
    await log.close();
  }
};

/** The floor: a bare kafkajs consumer reading the whole changelog once, from its group join on. */
const timeBareRead = async (kafka: Kafka, admin: Admin, topic: string) => {
  const ends = new Map(
    (await admin.fetchTopicOffsets(topic)).map(({ partition, high }) => [partition, Number(high)]),
  );
  const groupId = `bench.aggregate.read.${randomBytes(4).toString('hex')}`;
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100, allowAutoTopicCreation: false });
  await consumer.connect();
  const started = performance.now();
  let records = 0;
  const done = new Set<number>();
  try {
    await new Promise<void>((resolve, reject) => {
      consumer.on(consumer.events.CRASH, ({ payload }) => reject(payload.error));
      consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
        if (Number(payload.lastOffset) + 1 >= ends.get(payload.partition)!) done.add(payload.partition);
        if (done.size === ends.size) resolve();
      });
      void consumer
        .subscribe({ topics: [topic], fromBeginning: true })
        .then(() =>
          consumer.run({
            autoCommit: false,
            eachBatch: async ({ batch }) => {
              records += batch.messages.length;
            },
          }),
        )
        .catch(reject);
    });
    return { seconds: (performance.now() - started) / 1000, records };
  } finally {
    await consumer.disconnect();
    await admin.deleteGroups([groupId]).catch(() => undefined);
  }
};

const main = async () => {
  reportLoad('at start');
  let broker: KafkaBroker | undefined;
  let brokers: string[];
  if (process.env.KAFKA_BROKERS) brokers = process.env.KAFKA_BROKERS.split(',');
  else {
    broker = await startKafkaBroker();
    brokers = broker.brokers;
  }
  const kafka = new Kafka({ brokers, clientId: 'bench-aggregate', logLevel: logLevel.WARN });
  const admin = kafka.admin();
  await admin.connect();
  const runId = randomBytes(4).toString('hex');
  const source = `bench.aggregate.${runId}.source`;
  const changelog = `bench.aggregate.${runId}.changelog`;
  const log = createKafkaLog({ brokers, clientId: 'bench-aggregate-setup' });
  try {
    const produceStarted = Date.now();
    await produceSales(kafka, admin, source);
    process.stderr.write(
      `${RECORDS} sales produced in ${((Date.now() - produceStarted) / 1000).toFixed(1)} s\n`,
    );
    const baselineName = `bare kafkajs consume → produce pipe, ${RECORDS} records`;
    const theirs = await measureThroughput(admin, brokers, runId, 'bare', source);
    const ours = await measureThroughput(admin, brokers, runId, 'ours', source);
    benchLine({
      name: 'aggregate.tumbling1m.keys10k.recordsPerSecond',
      value: ours.recordsPerSecond,
      unit: 'records/s',
      baseline: theirs.recordsPerSecond,
      higherIsBetter: true,
      baselineName,
    });
    benchLine({
      name: 'aggregate.tumbling1m.keys10k.peakRss',
      value: ours.maxRssMb,
      unit: 'MB',
      baseline: theirs.maxRssMb,
      higherIsBetter: false,
      baselineName,
    });

    const writeStarted = Date.now();
    await writeChangelog(log, changelog);
    process.stderr.write(
      `changelog of ${RESTORE_KEYS} windows written in ${((Date.now() - writeStarted) / 1000).toFixed(1)} s\n`,
    );
    const bare = await timeBareRead(kafka, admin, changelog);
    const restored = await timeRestore(brokers, changelog, source);
    process.stderr.write(
      `restore: ${restored.windows} windows in ${restored.seconds.toFixed(2)} s; bare read: ${bare.records} records in ${bare.seconds.toFixed(2)} s\n`,
    );
    if (restored.windows !== RESTORE_KEYS)
      throw new Error(`restored ${restored.windows} windows of the ${RESTORE_KEYS} written`);
    benchLine({
      name: `aggregate.restore.keys${RESTORE_KEYS}`,
      value: restored.seconds,
      unit: 's',
      baseline: bare.seconds,
      higherIsBetter: false,
      baselineName: `bare kafkajs consumer reading the same changelog (${bare.records} records) to its end`,
    });
    reportLoad('at end');
  } finally {
    await log.close();
    await admin.deleteTopics({ topics: [source, changelog] }).catch(() => undefined);
    await admin.disconnect();
    await broker?.stop();
  }
};

if (process.argv[2] === 'child') await runChild(JSON.parse(process.argv[3]!) as ChildOptions);
else await main();
