import type { FastifyPluginAsync } from 'fastify';
import fastifyPlugin from 'fastify-plugin';
import { Redis } from 'ioredis';

/** One dependency's check: resolves when the dependency answers, rejects (or hangs) when not. */
export type HealthCheck = () => Promise<unknown>;

export interface HealthOptions {
  /** The dependencies `/health/ready` checks, by the name its answer gives them. */
  checks: Readonly<Record<string, HealthCheck>>;
  /** How long one check may take before it counts as failed. */
  timeoutMs?: number;
}

export interface CheckResult {
  status: 'up' | 'down';
  latencyMs: number;
  error?: string;
}

// Well under a load balancer's or Kubernetes' probe timeout (1 s by default), so the probe
// gets our answer naming the slow dependency rather than timing out itself.
const DEFAULT_TIMEOUT_MS = 800;

/**
 * `/health/live` answers while the process serves HTTP at all: restarting it helps only when
 * this fails. `/health/ready` checks every dependency at once and answers 503 naming the ones
 * that failed, so traffic moves elsewhere until they are back; nothing is cached, so a probe
 * sees the dependency as it is now.
 */
const healthPlugin: FastifyPluginAsync<HealthOptions> = async (app, options) => {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  // While the server closes, requests in flight finish, but a keep-alive connection would then
  // stay open until its timeout (72 s) and hold the shutdown: their answers close it instead.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onSend', async (_request, reply) => {
    if (closing) reply.header('connection', 'close');
  });
  app.get('/health/live', async () => ({ status: 'ok' }));
  app.get('/health/ready', async (_request, reply) => {
    const names = Object.keys(options.checks);
    const results = await Promise.all(names.map((name) => runCheck(options.checks[name]!, timeoutMs)));
    const checks = Object.fromEntries(names.map((name, index) => [name, results[index]!]));
    const failed = names.filter((name) => checks[name]!.status === 'down');
    return reply
      .code(failed.length === 0 ? 200 : 503)
      .send({ status: failed.length === 0 ? 'ok' : 'unavailable', failed, checks });
  });
};

/** Registered at the root: its connection hook applies to every route. */
export const health = fastifyPlugin(healthPlugin, { name: 'tributary-health' });

const runCheck = async (check: HealthCheck, timeoutMs: number): Promise<CheckResult> => {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([check(), timeout]);
    return { status: 'up', latencyMs: elapsed(started) };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { status: 'down', latencyMs: elapsed(started), error: message };
  } finally {
    clearTimeout(timer);
  }
};

const elapsed = (started: number) => Math.round((performance.now() - started) * 10) / 10;

/** The platform's dependencies, as `/health/ready` checks them: the cheapest call that needs each. */
export const dependencyChecks = (dependencies: {
  pool: { query(sql: string): Promise<unknown> };
  eventStore: { headPosition(): Promise<number> };
  log: { endOffsets(topic: string): Promise<unknown> };
  eventsTopic: string;
  redis?: { ping(): Promise<unknown> };
}): Record<string, HealthCheck> => ({
  postgres: () => dependencies.pool.query('select 1'),
  eventStore: () => dependencies.eventStore.headPosition(),
  log: () => dependencies.log.endOffsets(dependencies.eventsTopic),
  ...(dependencies.redis && { redis: () => dependencies.redis!.ping() }),
});

/**
 * A Redis connection of the probe's own: it fails at once while Redis is away (no offline
 * queue, no retries) instead of queueing the PING, and reconnects by itself, so the probe sees
 * Redis as it is now.
 */
export const healthRedisClient = (url: string) => {
  const redis = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 0 });
  // Connection errors are what the probe reports; unhandled, they would end the process.
  redis.on('error', () => undefined);
  return redis;
};
