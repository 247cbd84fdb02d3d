/**
 * The pipeline processor on Kafka: `npm run bench:processors`. One processor process runs the
 * four-step pipeline (filter, map, cast, rename) over BENCH_RECORDS (1M) orders of about 200
 * bytes in 3 partitions, JSON and Avro, at least once and exactly once. Baseline, in the same run
 * and on the same kind of topics: a bare kafkajs consume → produce pipe that copies each batch
 * (transactional for the exactly-once lines). Each pipe runs in a child process of its own, on
 * a fresh sink topic and group, so its peak RSS and CPU time are its own. Also the latency from
 * produce to sink at a steady 5k records/s, at least once, JSON.
 *
 * Throughput counts input records per second, from the first fetched batch to the group's
 * committed offsets reaching the end of the source. Ours does more than the copy: it decodes,
 * runs the steps, encodes, and adds three lineage headers to every record (the filter drops
 * 10%); `cpuPerRecord` (CPU time of the pipe process per input record, startup excluded) shows
 * that cost apart from the machine's load, which on shared cores sways the wall-clock figures.
 *
 * Starts its own broker (tests/setup/kafkaBroker.ts) unless KAFKA_BROKERS names one; a broker
 * started here is the test broker (C1 JIT only, serial GC, 512 MB heap), the same for both sides.
 * BENCH_PROFILE=<dir> writes a CPU profile of every pipe process there (node --cpu-prof).
 */

import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { type Admin, Kafka, logLevel } from 'kafkajs';
import type { RecordFormat } from '../src/domain/pipelines/pipelineDefinition.js';
import { type KafkaBroker, startKafkaBroker } from '../tests/setup/kafkaBroker.js';
import { benchLine } from './benchLine.js';
import { reportLoad } from './benchServices.js';
import { createTopic, endOffsetTotal, preProduce, whenGroupCaughtUp } from './processors/benchKafka.js';
import { probeLatency } from './processors/latencyProbe.js';
import type { FromPipeRunner, PipeRunnerOptions } from './processors/pipeRunner.js';

// BENCH_RECORDS and BENCH_LATENCY_SECONDS shorten a smoke run; figures for the record use the defaults.
const RECORDS = Number(process.env.BENCH_RECORDS ?? 1_000_000);
const LATENCY_SECONDS = Number(process.env.BENCH_LATENCY_SECONDS ?? 20);
const LATENCY_WARM_UP_SECONDS = 5;
const LATENCY_RATE = 5_000;
const PROFILE_DIR = process.env.BENCH_PROFILE;
// Far above any plausible run: a pipe that stalls fails the bench instead of hanging it.
const CATCH_UP_TIMEOUT_MS = 60_000 + RECORDS;

type Pipe = PipeRunnerOptions['pipe'];

/** A pipe in a child process; `stop` ends it and returns its peak RSS and CPU time. */
const startPipe = async (options: PipeRunnerOptions) => {
  const profile = PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : [];
  const child = fork(
    fileURLToPath(new URL('./processors/pipeRunner.ts', import.meta.url)),
    [JSON.stringify(options)],
    {
      execArgv: ['--import', 'tsx', ...profile],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    },
  );
  const next = <Type extends FromPipeRunner['type']>(type: Type) =>
    new Promise<Extract<FromPipeRunner, { type: Type }>>((resolve, reject) => {
      const listen = (message: FromPipeRunner) => {
        if (message.type !== type) return;
        child.off('message', listen);
        child.off('exit', exited);
        resolve(message as Extract<FromPipeRunner, { type: Type }>);
      };
      const exited = (code: number | null) =>
        reject(new Error(`${options.pipe} pipe exited (${code}) before ${type}`));
      child.on('message', listen);
      child.once('exit', exited);
    });
  const firstBatch = next('firstBatch');
  firstBatch.catch(() => undefined);
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) => reject(new Error(`${options.pipe} pipe exited (${code})`))),
  );
  exited.catch(() => undefined);
  await next('ready');
  return {
    firstBatch,
    /** Ends a pipe left running by a failure; does nothing once it has stopped. */
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
    /** `work`, unless the pipe dies first. */
    whileRunning: <T>(work: Promise<T>) => Promise.race([work, exited]),
    stop: async () => {
      const stopped = next('stopped');
      child.send({ type: 'stop' });
      const usage = await stopped;
      if (child.exitCode === null) await new Promise((resolve) => child.once('exit', resolve));
      return usage;
    },
  };
};

const fresh = (runId: string, what: string) => `bench.processors.${runId}.${what}`;

interface ThroughputRun {
  recordsPerSecond: number;
  maxRssMb: number;
  cpuMicrosPerRecord: number;
}

/** One pipe over the whole input: from its first fetched batch to the group's commit of the end. */
const measureThroughput = async (
  admin: Admin,
  options: Omit<PipeRunnerOptions, 'groupId' | 'sink'> & { runId: string; expectedOut: number },
): Promise<ThroughputRun> => {
  const name = `${options.pipe}.${options.format}.${options.exactlyOnce ? 'eos' : 'alo'}`;
  const sink = fresh(options.runId, `${name}.sink`);
  const groupId = fresh(options.runId, `${name}.group`);
  await createTopic(admin, sink);
  const pipe = await startPipe({ ...options, groupId, sink });
  try {
    const first = await pipe.firstBatch;
    const doneAt = await pipe.whileRunning(
      whenGroupCaughtUp(admin, groupId, options.source, CATCH_UP_TIMEOUT_MS),
    );
    const usage = await pipe.stop();
    const written = await endOffsetTotal(admin, sink);
    // At least once, the sink holds exactly the output (nothing was redelivered in a clean run);
    // exactly once, each transaction adds a commit marker per partition it wrote to.
    const fits = options.exactlyOnce ? written >= options.expectedOut : written === options.expectedOut;
    if (!fits)
      throw new Error(`${name}: the sink holds ${written} offsets for ${options.expectedOut} records`);
    const seconds = (doneAt - first.at) / 1000;
    process.stderr.write(`${name}: ${RECORDS} records in ${seconds.toFixed(2)} s, sink ${written} offsets\n`);
    reportLoad(`after ${name}`);
    return {
      recordsPerSecond: RECORDS / seconds,
      maxRssMb: usage.maxRssKb / 1024,
      cpuMicrosPerRecord: ((usage.cpuMs - first.cpuMs) * 1000) / RECORDS,
    };
  } finally {
    pipe.kill();
    await admin.deleteTopics({ topics: [sink] }).catch(() => undefined);
  }
};

/** One pipe at a steady LATENCY_RATE from its own fresh source topic, for `seconds` after the warm-up. */
const measureLatency = async (kafka: Kafka, admin: Admin, name: string, pipe: Pipe, seconds: number) => {
  const source = fresh(name, 'latency.source');
  const sink = fresh(name, 'latency.sink');
  await Promise.all([createTopic(admin, source), createTopic(admin, sink)]);
  const running = await startPipe({
    pipe,
    brokers: brokerList,
    format: 'json',
    exactlyOnce: false,
    source,
    sink,
    groupId: fresh(name, 'latency.group'),
  });
  try {
    return await probeLatency({
      kafka,
      source,
      sink,
      recordsPerSecond: LATENCY_RATE,
      warmUpSeconds: LATENCY_WARM_UP_SECONDS,
      measureSeconds: seconds,
    });
  } finally {
    await running.stop().finally(running.kill);
    reportLoad(`after ${name} latency`);
  }
};

// Set once in main, before any pipe starts.
let brokerList: string[] = [];

const percentile = (values: readonly number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
};

const deliveryName = (exactlyOnce: boolean) => (exactlyOnce ? 'exactlyOnce' : 'atLeastOnce');

const main = async () => {
  reportLoad('at start');
  let broker: KafkaBroker | undefined;
  if (process.env.KAFKA_BROKERS) brokerList = process.env.KAFKA_BROKERS.split(',');
  else {
    broker = await startKafkaBroker();
    brokerList = broker.brokers;
  }
  const kafka = new Kafka({ brokers: brokerList, clientId: 'bench-processors', logLevel: logLevel.WARN });
  const admin = kafka.admin();
  await admin.connect();
  const runId = randomBytes(4).toString('hex');
  const sources: string[] = [];
  try {
    for (const format of ['json', 'avro'] as const satisfies readonly RecordFormat[]) {
      const source = fresh(runId, `${format}.source`);
      sources.push(source);
      const started = Date.now();
      const { kept, averageBytes } = await preProduce(kafka, admin, source, format, RECORDS);
      process.stderr.write(
        `${format}: ${RECORDS} orders of ${averageBytes.toFixed(0)} bytes produced in ${((Date.now() - started) / 1000).toFixed(1)} s, the filter keeps ${kept}\n`,
      );
      for (const exactlyOnce of [false, true]) {
        const common = { runId, brokers: brokerList, format, exactlyOnce, source };
        const theirs = await measureThroughput(admin, { ...common, pipe: 'bare', expectedOut: RECORDS });
        const ours = await measureThroughput(admin, { ...common, pipe: 'ours', expectedOut: kept });
        const prefix = `processors.${format}.${deliveryName(exactlyOnce)}`;
        const baselineName = `bare kafkajs ${exactlyOnce ? 'transactional ' : ''}consume → produce pipe, ${RECORDS} records`;
        benchLine({
          name: `${prefix}.recordsPerSecond`,
          value: ours.recordsPerSecond,
          unit: 'records/s',
          baseline: theirs.recordsPerSecond,
          higherIsBetter: true,
          baselineName,
        });
        benchLine({
          name: `${prefix}.peakRss`,
          value: ours.maxRssMb,
          unit: 'MB',
          baseline: theirs.maxRssMb,
          higherIsBetter: false,
          baselineName,
        });
        benchLine({
          name: `${prefix}.cpuPerRecord`,
          value: ours.cpuMicrosPerRecord,
          unit: 'µs',
          baseline: theirs.cpuMicrosPerRecord,
          higherIsBetter: false,
          baselineName,
        });
      }
      await admin.deleteTopics({ topics: [source] }).catch(() => undefined);
    }
    // Whichever pipe went first measured several times slower at p50 and p99 (the probe's own
    // consumer and the broker's first transfers warming up), so a first round is thrown away.
    await measureLatency(kafka, admin, `${runId}.warmUp`, 'bare', LATENCY_WARM_UP_SECONDS);
    const theirs = await measureLatency(kafka, admin, `${runId}.bare`, 'bare', LATENCY_SECONDS);
    const ours = await measureLatency(kafka, admin, `${runId}.ours`, 'ours', LATENCY_SECONDS);
    for (const p of [50, 99]) {
      benchLine({
        name: `processors.json.atLeastOnce.latency${LATENCY_RATE / 1000}k.p${p}`,
        value: percentile(ours, p),
        unit: 'ms',
        baseline: percentile(theirs, p),
        higherIsBetter: false,
        baselineName: `bare kafkajs pipe, produce to sink at ${LATENCY_RATE} records/s for ${LATENCY_SECONDS} s`,
      });
    }
    reportLoad('at end');
  } finally {
    await admin.disconnect();
    await broker?.stop();
  }
};

await main();
