import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  closeSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { type AddressInfo, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';

const run = promisify(execFile);
const projectRoot = fileURLToPath(new URL('../../', import.meta.url));
const kafkaSetupDir = join(projectRoot, 'tests/setup/kafka');
const cacheDir = join(projectRoot, '.cache/kafka');
const readyTimeoutMs = 90_000;
const stopTimeoutMs = 15_000;
const ownerFile = 'owner.pid';

export interface KafkaBroker {
  brokers: string[];
  /** The broker's stdout and stderr; kept until `stop`, and kept for good when start fails. */
  logFile: string;
  /** Stops the broker process and keeps its data, as an outage would (a clean shutdown). */
  pause(): Promise<void>;
  /** Starts it again on the same ports and data after `pause`, and waits until it answers. */
  resume(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts a single-node KRaft Apache Kafka broker from jars Maven resolves once into `.cache/kafka`,
 * on free loopback ports, in a fresh folder that `stop` removes.
 */
export async function startKafkaBroker(): Promise<KafkaBroker> {
  const libs = await resolveKafkaJars();
  removeAbandonedRuns();
  const runDir = mkdtempSync(join(cacheDir, 'run-'));
  writeFileSync(join(runDir, ownerFile), String(process.pid));
  const logFile = join(runDir, 'broker.log');
  const [port, controllerPort] = await twoFreePorts();
  const properties = join(runDir, 'server.properties');
  writeFileSync(properties, serverProperties(port, controllerPort, join(runDir, 'data')));
  const jvm = javaOptions(libs);
  cpSync(await formattedStorage(libs, jvm), join(runDir, 'data'), { recursive: true });

  const brokers = [`127.0.0.1:${port}`];
  let running = launch(jvm, properties, logFile);
  try {
    await waitUntilReady(brokers, running.broker);
  } catch (error) {
    await running.halt();
    rmSync(join(runDir, 'data'), { recursive: true, force: true });
    throw new Error(`${(error as Error).message}; broker log ${logFile}:\n${tail(logFile, 40)}`, {
      cause: error,
    });
  }
  const pause = () => running.halt();
  const resume = async () => {
    running = launch(jvm, properties, logFile);
    await waitUntilReady(brokers, running.broker).catch((error: unknown) => {
      throw new Error(`${(error as Error).message}; broker log ${logFile}:\n${tail(logFile, 40)}`, {
        cause: error,
      });
    });
  };
  const stop = async () => {
    await running.halt();
    rmSync(runDir, { recursive: true, force: true });
  };
  return { brokers, logFile, pause, resume, stop };
}

/** Spawns the broker JVM; `halt` stops it (and its watchdog) and resolves once it exited. */
function launch(jvm: string[], properties: string, logFile: string) {
  const out = openSync(logFile, 'a');
  const broker = spawn('java', [...jvm, 'kafka.Kafka', properties], { stdio: ['ignore', out, out] });
  closeSync(out);
  const killNow = () => broker.kill('SIGKILL');
  // 'exit' covers a vitest that ends without teardown; the watchdog covers one that is killed outright.
  process.on('exit', killNow);
  const watchdog = killWhenParentDies(broker);
  const halt = async () => {
    process.off('exit', killNow);
    watchdog.kill('SIGKILL');
    await stopProcess(broker);
  };
  return { broker, halt };
}

/** Copies the pom's runtime jars into `.cache/kafka/libs`, unless the marker says they match the pom. */
async function resolveKafkaJars(): Promise<string> {
  const pom = join(kafkaSetupDir, 'pom.xml');
  const hash = createHash('sha256').update(readFileSync(pom)).digest('hex');
  const libs = join(cacheDir, 'libs');
  const marker = '.pom-sha256';
  const isCurrent = () => readOrEmpty(join(libs, marker)) === hash;
  if (isCurrent()) return libs;

  console.log('kafka: resolving broker jars with mvn (once per pom change)...');
  // Several vitest runs may share this tree: each resolves into its own folder and renames it into place.
  const staging = join(cacheDir, `libs-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  const goal = ['-B', '-q', '-f', pom, 'dependency:copy-dependencies', '-DincludeScope=runtime'];
  await run('mvn', [...goal, `-DoutputDirectory=${staging}`], { maxBuffer: 16 << 20 }).catch(
    (error: Error & { stdout?: string }) => {
      throw new Error(`mvn could not resolve ${pom}: ${error.message}${error.stdout ?? ''}`, {
        cause: error,
      });
    },
  );
  writeFileSync(join(staging, marker), hash);
  if (!isCurrent()) rmSync(libs, { recursive: true, force: true });
  renameOrDrop(staging, libs);
  return libs;
}

/** Moves a finished folder into place, unless a concurrent run got there first with the same result. */
function renameOrDrop(staging: string, target: string): void {
  try {
    renameSync(staging, target);
  } catch (error) {
    if (!existsSync(target)) throw error;
    rmSync(staging, { recursive: true, force: true });
  }
}

function javaOptions(libs: string): string[] {
  return [
    '-Xmx512m',
    // On two shared cores, C2 compilation and parallel GC threads are most of the startup CPU
    // (about 7 s of CPU down to 4.5 s); a test broker never runs long enough to repay them.
    '-XX:TieredStopAtLevel=1',
    '-XX:+UseSerialGC',
    '-cp',
    join(libs, '*'),
    `-Dlog4j2.configurationFile=${join(kafkaSetupDir, 'log4j2.properties')}`,
  ];
}

/**
 * Formatting storage costs a JVM start of its own, so it happens once per set of jars and each run
 * copies the result. Its contents (node id, cluster id, metadata version) do not depend on the ports.
 */
async function formattedStorage(libs: string, jvm: string[]): Promise<string> {
  const template = join(libs, 'formatted-storage');
  if (existsSync(join(template, 'meta.properties'))) return template;
  const staging = join(cacheDir, `storage-${process.pid}`);
  const properties = `${staging}.properties`;
  rmSync(staging, { recursive: true, force: true });
  writeFileSync(properties, serverProperties(9092, 9093, staging));
  // A base64url id may start with "-", which the storage tool would read as an option (Kafka's
  // own Uuid.randomUuid skips such ids for that reason); the "=" form takes it as a value.
  const clusterId = randomBytes(16).toString('base64url');
  await run('java', [
    ...jvm,
    'kafka.tools.StorageTool',
    'format',
    `--cluster-id=${clusterId}`,
    '-c',
    properties,
  ])
    .catch((error: Error & { stdout?: string }) => {
      throw new Error(`formatting Kafka storage failed: ${error.message}${error.stdout ?? ''}`, {
        cause: error,
      });
    })
    .finally(() => rmSync(properties, { force: true }));
  renameOrDrop(staging, template);
  return template;
}

/** Run folders left by test runs that were killed, which never reached their teardown. */
function removeAbandonedRuns(): void {
  mkdirSync(cacheDir, { recursive: true });
  for (const name of readdirSync(cacheDir).filter((entry) => entry.startsWith('run-'))) {
    const runDir = join(cacheDir, name);
    // A folder this young may belong to a run that has not written its owner file yet.
    const isYoung = Date.now() - statSync(runDir).mtimeMs < 10 * 60_000;
    const owner = Number(readOrEmpty(join(runDir, ownerFile)));
    if (!isYoung && !isAlive(owner)) rmSync(runDir, { recursive: true, force: true });
  }
}

function isAlive(pid: number): boolean {
  if (!(pid > 0)) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function serverProperties(port: number, controllerPort: number, dataDir: string): string {
  return `${[
    'process.roles=broker,controller',
    'node.id=1',
    `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
    `log.dirs=${dataDir}`,
    // One replica of everything, or internal topics never come up on a single node.
    'offsets.topic.replication.factor=1',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'share.coordinator.state.topic.replication.factor=1',
    'share.coordinator.state.topic.min.isr=1',
    // The first consumer group and transaction create these topics; 50 partitions each costs seconds.
    'offsets.topic.num.partitions=1',
    'transaction.state.log.num.partitions=1',
    'group.initial.rebalance.delay.ms=0',
    'auto.create.topics.enable=true',
    'num.partitions=3',
  ].join('\n')}\n`;
}

async function waitUntilReady(brokers: string[], broker: ChildProcess): Promise<void> {
  const kafka = new Kafka({
    brokers,
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
    connectionTimeout: 1000,
  });
  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    if (broker.exitCode !== null || broker.signalCode !== null) {
      throw new Error(`Kafka broker exited (${broker.exitCode ?? broker.signalCode}) before it answered`);
    }
    const admin = kafka.admin();
    try {
      await admin.connect();
      await admin.describeCluster();
      // The first group lookup creates __consumer_offsets; doing it here keeps that delay, and the
      // "coordinator is loading" crash-and-restart it causes in kafkajs consumers, out of the tests.
      await admin.describeGroups(['tributary-test-warmup']);
      return;
    } catch (error) {
      if (Date.now() > deadline) {
        throw new Error(`Kafka broker did not answer within ${readyTimeoutMs / 1000} s`, { cause: error });
      }
    } finally {
      await admin.disconnect().catch(() => {});
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** A shell that waits on a pipe from this process: the pipe closes however this process ends. */
function killWhenParentDies(child: ChildProcess): ChildProcess {
  const watchdog = spawn('sh', ['-c', 'read _; kill -9 "$0" 2>/dev/null', String(child.pid)], {
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  watchdog.unref();
  (watchdog.stdin as Socket).unref();
  return watchdog;
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), stopTimeoutMs);
  await exited;
  clearTimeout(timer);
}

/** Both ports are held open at once so the kernel cannot hand out the same one twice. */
async function twoFreePorts(): Promise<[number, number]> {
  const servers = [createServer().unref(), createServer().unref()] as const;
  const listen = (server: Server) =>
    new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
    });
  const ports: [number, number] = [await listen(servers[0]), await listen(servers[1])];
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}

function readOrEmpty(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

function tail(file: string, lines: number): string {
  return readOrEmpty(file).trimEnd().split('\n').slice(-lines).join('\n');
}
