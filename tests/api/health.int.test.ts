import { type ChildProcess, spawn } from 'node:child_process';
import { createConnection } from 'node:net';
import type { Redis } from 'ioredis';
import mqemitter from 'mqemitter';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, buildApi } from '../../src/api/buildApi.js';
import { dependencyChecks, healthRedisClient } from '../../src/api/health.js';
import { createPostgresEventStore } from '../../src/infra/eventstore/postgresEventStore.js';
import { postgresEventStoreMigrations } from '../../src/infra/eventstore/postgresEventStoreMigrations.js';
import { createKafkaLog } from '../../src/infra/log/kafkaLog.js';
import type { Log } from '../../src/infra/log/log.js';
import { migrate } from '../../src/infra/postgres/migrate.js';
import { createPostgresPool } from '../../src/infra/postgres/postgresPool.js';
import { createLogger } from '../../src/logger.js';
import { freePort } from '../cli/runCli.js';
import { createTestSchema, dropTestSchema, testServices, uniqueTopic } from '../setup/testServices.js';
import { waitFor } from '../setup/waitFor.js';

interface Readiness {
  status: string;
  failed: string[];
  checks: Record<string, { status: string; latencyMs: number; error?: string }>;
}

const DEPENDENCIES = ['eventStore', 'log', 'postgres', 'redis'];

// A Redis of this test's own, so stopping it touches no other test (nor the shared one).
const startRedis = async (port: number) => {
  const redis = spawn('/usr/bin/redis-server', ['--port', String(port), '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  });
  await waitFor(
    () =>
      new Promise<boolean>((resolve) => {
        const socket = createConnection({ port, host: '127.0.0.1' });
        socket.once('connect', () => {
          socket.end();
          resolve(true);
        });
        socket.once('error', () => resolve(false));
      }),
  );
  return redis;
};

const stopRedis = async (redis: ChildProcess) => {
  if (redis.exitCode !== null) return;
  const exited = new Promise((resolve) => redis.once('exit', resolve));
  redis.kill('SIGTERM');
  await exited;
};

describe('the readiness probe checks every dependency', () => {
  const services = testServices();
  const schema = createTestSchema('health');
  let redisPort: number;
  let redis: ChildProcess;
  let pool: pg.Pool;
  let log: Log;
  let probeRedis: Redis;
  let api: Api;
  let base: string;

  const ready = async () => {
    const response = await fetch(`${base}/health/ready`);
    return { status: response.status, body: (await response.json()) as Readiness };
  };

  beforeAll(async () => {
    redisPort = await freePort();
    redis = await startRedis(redisPort);
    pool = createPostgresPool({ connectionString: services.databaseUrl, schema });
    await migrate(pool, schema, postgresEventStoreMigrations);
    log = createKafkaLog({ brokers: services.kafkaBrokers, clientId: 'health-test' });
    probeRedis = healthRedisClient(`redis://127.0.0.1:${redisPort}`);
    // The API's checks as the platform wires them, on a Redis that only this probe uses.
    api = await buildApi({
      services: {
        pool,
        eventStore: createPostgresEventStore({ pool, schema }),
        newId: () => crypto.randomUUID(),
        now: () => new Date(),
        secretCipher: null,
      },
      logger: createLogger({ logLevel: 'silent' }),
      emitter: mqemitter(),
      graphiql: false,
      health: {
        checks: dependencyChecks({
          pool,
          eventStore: createPostgresEventStore({ pool, schema }),
          log,
          eventsTopic: uniqueTopic('health-events'),
          redis: probeRedis,
        }),
      },
    });
    base = await api.listen({ host: '127.0.0.1', port: 0 });
  });

  afterAll(async () => {
    await api?.close();
    probeRedis?.disconnect();
    await log?.close();
    await pool?.end();
    if (redis) await stopRedis(redis);
    await dropTestSchema(services.databaseUrl, schema);
  });

  it('answers live while the process serves HTTP', async () => {
    const response = await fetch(`${base}/health/live`);

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('answers ready with each dependency up and its latency when all answer', async () => {
    const { status, body } = await waitFor(async () => {
      const answer = await ready();
      return answer.status === 200 ? answer : null;
    });

    expect(status).toBe(200);
    expect(body.status).toBe('ok');
    expect(body.failed).toEqual([]);
    expect(Object.keys(body.checks).sort()).toEqual(DEPENDENCIES);
    for (const check of Object.values(body.checks)) {
      expect(check).toEqual({ status: 'up', latencyMs: expect.any(Number) });
    }
  });

  it('answers 503 naming Redis while Redis is stopped, and 200 again once it is back', async () => {
    await stopRedis(redis);

    const down = await waitFor(async () => {
      const answer = await ready();
      return answer.status === 503 ? answer : null;
    });
    expect(down.body.status).toBe('unavailable');
    expect(down.body.failed).toEqual(['redis']);
    expect(down.body.checks.redis).toEqual({
      status: 'down',
      latencyMs: expect.any(Number),
      error: expect.any(String),
    });
    expect(down.body.checks.postgres!.status).toBe('up');

    redis = await startRedis(redisPort);

    const back = await waitFor(async () => {
      const answer = await ready();
      return answer.status === 200 ? answer : null;
    });
    expect(back.body.failed).toEqual([]);
    expect(back.body.checks.redis!.status).toBe('up');
  });
});
