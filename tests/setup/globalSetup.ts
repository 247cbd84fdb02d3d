import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { startKafkaBroker } from './kafkaBroker.js';
import type { TestServices } from './testServices.js';

const run = promisify(execFile);
const localDatabaseUrl = 'postgres://postgres@127.0.0.1:5432/test';
const localRedisUrl = 'redis://127.0.0.1:6379';

interface Found<T> {
  value: T;
  source: 'env' | 'local' | 'started' | 'testcontainers';
  detail?: string;
  stop?: () => Promise<void>;
}

/**
 * Finds or starts PostgreSQL, Redis and Kafka once per run, in this order of preference:
 * URLs from the environment, services on this machine, testcontainers when Docker answers.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const [postgres, redis, kafka] = await Promise.allSettled([findPostgres(), findRedis(), findKafka()]);
  const found = [postgres, redis, kafka].flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const teardown = async () => {
    await Promise.allSettled(found.map((service) => service.stop?.()));
  };
  if (postgres.status === 'rejected' || redis.status === 'rejected' || kafka.status === 'rejected') {
    await teardown();
    const reasons = [postgres, redis, kafka].flatMap((r) => (r.status === 'rejected' ? [r.reason] : []));
    throw new Error(
      `integration test services are missing:\n${reasons.map((r) => `- ${r.message}`).join('\n')}`,
    );
  }
  report('postgres', postgres.value);
  report('redis', redis.value);
  report('kafka', kafka.value);
  const services: TestServices = {
    databaseUrl: postgres.value.value,
    redisUrl: redis.value.value,
    kafkaBrokers: kafka.value.value,
  };
  project.provide('services', services);
  return teardown;
}

function report(name: string, { value, source, detail }: Found<string | string[]>): void {
  console.log(`services: ${name} from ${source}: ${value}${detail ? ` (${detail})` : ''}`);
}

async function findPostgres(): Promise<Found<string>> {
  const fromEnv = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL;
  if (fromEnv) return { value: fromEnv, source: 'env' };
  if (await answersPostgres(localDatabaseUrl)) return { value: localDatabaseUrl, source: 'local' };
  const versions = readdirOrEmpty('/etc/postgresql');
  if (versions.length > 0) {
    const version = versions.sort((a, b) => Number(b) - Number(a))[0]!;
    await run('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'start']).catch(() => {});
    if (await answersPostgres(localDatabaseUrl)) return { value: localDatabaseUrl, source: 'started' };
  }
  if (await isDockerRunning()) return postgresContainer();
  throw new Error(
    'PostgreSQL: set TEST_DATABASE_URL, or run PostgreSQL on 127.0.0.1:5432 accepting user postgres ' +
      'without password and a database "test" (apt-get install postgresql), or run a Docker engine',
  );
}

async function findRedis(): Promise<Found<string>> {
  const fromEnv = process.env.TEST_REDIS_URL ?? process.env.REDIS_URL;
  if (fromEnv) return { value: fromEnv, source: 'env' };
  if (await answersRedis(localRedisUrl)) return { value: localRedisUrl, source: 'local' };
  const args = [
    '--daemonize',
    'yes',
    '--bind',
    '127.0.0.1',
    '--port',
    '6379',
    '--save',
    '',
    '--appendonly',
    'no',
  ];
  const started = await run('redis-server', args).then(
    () => true,
    () => false,
  );
  if (started && (await answersRedis(localRedisUrl))) return { value: localRedisUrl, source: 'started' };
  if (await isDockerRunning()) return redisContainer();
  throw new Error(
    'Redis: set TEST_REDIS_URL, or run Redis on 127.0.0.1:6379 (apt-get install redis-server), or run a Docker engine',
  );
}

async function findKafka(): Promise<Found<string[]>> {
  const fromEnv = process.env.TEST_KAFKA_BROKERS ?? process.env.KAFKA_BROKERS;
  if (fromEnv) return { value: fromEnv.split(',').map((broker) => broker.trim()), source: 'env' };
  const startedAt = Date.now();
  try {
    const broker = await startKafkaBroker();
    const seconds = ((Date.now() - startedAt) / 1000).toFixed(1);
    return {
      value: broker.brokers,
      source: 'started',
      detail: `${seconds} s, log ${broker.logFile}`,
      stop: broker.stop,
    };
  } catch (error) {
    if (await isDockerRunning()) {
      console.warn(`services: local Kafka broker failed, trying testcontainers: ${(error as Error).message}`);
      return kafkaContainer();
    }
    throw new Error(
      `Kafka: starting a local broker failed: ${(error as Error).message}\n` +
        'Set TEST_KAFKA_BROKERS=host:port, or install Java 17+ and Maven (apt-get install ' +
        'openjdk-17-jre-headless maven) so a broker can run from Maven Central jars, or run a Docker engine.',
      { cause: error },
    );
  }
}

async function answersPostgres(connectionString: string): Promise<boolean> {
  const client = new pg.Client({ connectionString, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

async function answersRedis(url: string): Promise<boolean> {
  const redis = new Redis(url, { lazyConnect: true, connectTimeout: 2000, retryStrategy: () => null });
  redis.on('error', () => {});
  try {
    await redis.connect();
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}

function readdirOrEmpty(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

// Docker is not on the development machines; everything below runs only where an engine answers.

let dockerCheck: Promise<boolean> | undefined;
function isDockerRunning(): Promise<boolean> {
  dockerCheck ??= import('testcontainers')
    .then(({ getContainerRuntimeClient }) => getContainerRuntimeClient())
    .then(
      () => true,
      () => false,
    );
  return dockerCheck;
}

async function postgresContainer(): Promise<Found<string>> {
  const { GenericContainer, Wait } = await import('testcontainers');
  const container = await new GenericContainer('postgres:17-alpine')
    .withEnvironment({ POSTGRES_HOST_AUTH_METHOD: 'trust', POSTGRES_DB: 'test' })
    .withExposedPorts(5432)
    .withWaitStrategy(Wait.forLogMessage('database system is ready to accept connections', 2))
    .start();
  const url = `postgres://postgres@${container.getHost()}:${container.getMappedPort(5432)}/test`;
  return { value: url, source: 'testcontainers', stop: async () => void (await container.stop()) };
}

async function redisContainer(): Promise<Found<string>> {
  const { GenericContainer } = await import('testcontainers');
  const container = await new GenericContainer('redis:7-alpine').withExposedPorts(6379).start();
  const url = `redis://${container.getHost()}:${container.getMappedPort(6379)}`;
  return { value: url, source: 'testcontainers', stop: async () => void (await container.stop()) };
}

async function kafkaContainer(): Promise<Found<string[]>> {
  const { GenericContainer, Wait } = await import('testcontainers');
  // The broker must advertise the port clients reach, so the host port is chosen before start.
  const port = 19_000 + Math.floor(Math.random() * 1000);
  const container = await new GenericContainer('apache/kafka:4.1.1')
    .withEnvironment({
      KAFKA_NODE_ID: '1',
      KAFKA_PROCESS_ROLES: 'broker,controller',
      KAFKA_LISTENERS: 'PLAINTEXT://:9092,CONTROLLER://:9093',
      KAFKA_ADVERTISED_LISTENERS: `PLAINTEXT://127.0.0.1:${port}`,
      KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
      KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
      KAFKA_CONTROLLER_QUORUM_VOTERS: '1@localhost:9093',
      KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
      KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
      KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'true',
      KAFKA_NUM_PARTITIONS: '3',
    })
    .withExposedPorts({ container: 9092, host: port })
    .withWaitStrategy(Wait.forLogMessage('Kafka Server started'))
    .start();
  return {
    value: [`127.0.0.1:${port}`],
    source: 'testcontainers',
    stop: async () => void (await container.stop()),
  };
}
