import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { authenticationFromConfig } from './api/authentication.js';
import { buildApi } from './api/buildApi.js';
import { perMinute } from './api/hardening.js';
import { dependencyChecks, healthRedisClient } from './api/health.js';
import type { Config } from './config.js';
import { bootstrapAdminFromConfig } from './infra/auth/bootstrapAdminFromConfig.js';
import { createSecretCipher } from './infra/crypto/secretCipher.js';
import type { EventStore } from './infra/eventstore/eventStore.js';
import { createEventStoreDbEventStore } from './infra/eventstore/eventStoreDbEventStore.js';
import { createPostgresEventStore } from './infra/eventstore/postgresEventStore.js';
import { postgresEventStoreMigrations } from './infra/eventstore/postgresEventStoreMigrations.js';
import { createKafkaLog } from './infra/log/kafkaLog.js';
import type { Log } from './infra/log/log.js';
import { createPostgresLog } from './infra/log/postgresLog.js';
import { postgresLogMigrations } from './infra/log/postgresLogMigrations.js';
import { mailSenderFromConfig } from './infra/mail/mailSenderFromConfig.js';
import { reportProjectionLag, withAppendDuration } from './infra/metrics/metrics.js';
import { embeddedPostgresUrl, startEmbeddedPostgres } from './infra/postgres/embeddedPostgres.js';
import { migrate } from './infra/postgres/migrate.js';
import { createPostgresPool } from './infra/postgres/postgresPool.js';
import { createPubSub } from './infra/pubsub/createPubSub.js';
import type { Logger } from './logger.js';
import { startAlerting } from './processors/alerts/startAlerting.js';
import { processorMigrations } from './processors/processorMigrations.js';
import { startProcessorSupervisor } from './processors/processorSupervisor.js';
import { startEventRelay } from './processors/relay/eventRelay.js';
import { relayMigrations } from './processors/relay/relayMigrations.js';
import { projectionsWith } from './projections/allProjections.js';
import { projectionRunnerMigrations } from './projections/projectionMigrations.js';
import { startProjection } from './projections/projectionRunner.js';
import { prepareProjection } from './projections/runner/prepareProjection.js';

export const ROLES = ['api', 'projections', 'processors'] as const;
export type Role = (typeof ROLES)[number];

export interface Platform {
  /** The GraphQL endpoint when the api role runs. */
  graphqlUrl: string | null;
  databaseUrl: string;
  log: Log;
  eventStore: EventStore;
  stop(): Promise<void>;
}

/**
 * The composition root: the one place that picks adapters from the config and starts the
 * roles asked for. Stopping happens in reverse order of starting.
 */
export const startPlatform = async (
  config: Config,
  logger: Logger,
  roles: readonly Role[] = ROLES,
): Promise<Platform> => {
  const stops: (() => Promise<unknown>)[] = [];
  const stop = async () => {
    for (const step of stops.reverse())
      await step().catch((error: unknown) => logger.error({ err: error }, 'stop failed'));
  };
  try {
    const database = await openDatabase(config, logger);
    stops.push(database.stop);
    const { pool, databaseUrl } = database;
    const schema = config.databaseSchema;
    await prepareDatabase(pool, config);

    // Read models, checkpoints and the embedded log stay in PostgreSQL either way.
    const eventStore = withAppendDuration(
      config.eventStoreUrl
        ? createEventStoreDbEventStore({ connectionString: config.eventStoreUrl })
        : createPostgresEventStore({ pool, schema }),
    );
    stops.push(() => eventStore.close());
    const log = createLog(config, pool);
    stops.push(() => log.close());
    const pubSub = createPubSub({ redisUrl: config.redisUrl, namespace: schema });
    stops.push(() => pubSub.close());
    // Decrypts connector and channel secrets (API, sinks, notifier); null without SECRETS_KEYS.
    const secretCipher = config.secrets ? createSecretCipher(secretCipherOptions(config.secrets)) : null;
    // One sender (one SMTP pool) for the process: the API's resets and verifications, alert e-mails.
    const mailSender = mailSenderFromConfig(config, logger);
    if (mailSender?.close) stops.push(async () => mailSender.close?.());

    if (roles.includes('projections')) {
      const stopReportingLag = reportProjectionLag(async () => ({
        head: await eventStore.headPosition(),
        positions: await projectionPositions(pool),
      }));
      stops.push(async () => stopReportingLag());
      // One runner per projection in every process with this role: one of them leads, the
      // others stand by (advisory lock), so the role can run in several processes.
      for (const projection of projectionsWith(config)) {
        const runner = await startProjection({
          pool,
          schema,
          eventStore,
          projection,
          publish: pubSub.publish,
          logger,
        });
        stops.push(() => runner.stop());
      }
    }
    if (roles.includes('processors')) {
      // The relay feeds tributary.events, which the supervisors follow: one relay leads across
      // processes (advisory lock), every process runs a supervisor.
      const relay = await startEventRelay({
        pool,
        schema,
        eventStore,
        log,
        logger,
        topic: config.eventsTopic,
      });
      stops.push(() => relay.stop());
      const redis = config.redisUrl ? new Redis(config.redisUrl, { lazyConnect: true }) : undefined;
      if (redis) stops.push(() => redis.quit().catch(() => redis.disconnect()));
      const supervisor = await startProcessorSupervisor({
        pool,
        schema,
        eventStore,
        log,
        logger,
        // What enrich steps look values up in: the platform's database, and Redis when configured.
        dependencies: { pool, ...(redis && { redis }) },
        // Sink connectors' connection strings (aggregate results into a PostgreSQL table).
        secretCipher,
        eventsTopic: config.eventsTopic,
        progressIntervalMs: config.progressIntervalMs,
      });
      stops.push(() => supervisor.stop());
      // Alerting: the evaluator (one leader across processes) and the notifier (one group).
      const alerting = await startAlerting({
        pool,
        schema,
        eventStore,
        log,
        logger,
        eventsTopic: config.eventsTopic,
        secretCipher,
        mailSender: mailSender ?? null,
      });
      stops.push(() => alerting.stop());
    }
    let graphqlUrl: string | null = null;
    if (roles.includes('api')) {
      // One connection for the readiness probe and the rate limits; it fails fast while Redis is away.
      const apiRedis = config.redisUrl ? healthRedisClient(config.redisUrl) : undefined;
      if (apiRedis) stops.push(async () => apiRedis.disconnect());
      if (config.auth.bootstrapAdmin) {
        await bootstrapAdminFromConfig({
          admin: config.auth.bootstrapAdmin,
          eventStore,
          pool,
          logger,
          now: () => new Date(),
        });
      }
      if (config.auth.disabled) logger.info('AUTH_DISABLED=true: every request acts as an admin');
      if (!mailSender)
        logger.warn('MAIL_SMTP_URL is unset: password resets and verification mails are refused');
      const api = await buildApi({
        services: {
          pool,
          eventStore,
          newId: randomUUID,
          now: () => new Date(),
          secretCipher,
          log,
          mailSender,
        },
        logger,
        emitter: pubSub.emitter,
        graphiql: config.env !== 'production',
        authentication: authenticationFromConfig(config.auth, {
          eventStore,
          now: () => new Date(),
          ...(mailSender && { mailSender }),
        }),
        health: {
          checks: dependencyChecks({
            pool,
            eventStore,
            log,
            eventsTopic: config.eventsTopic,
            redis: apiRedis,
          }),
        },
        hardening: {
          graphiql: config.env !== 'production',
          introspection: config.env !== 'production',
          // Rate-limit counts shared by every API instance of this deployment.
          ...(apiRedis && { redis: apiRedis }),
          rateLimitKeyPrefix: schema,
          apiRateLimit: perMinute(config.rateLimits.apiPerMinute),
          loginRateLimit: perMinute(config.rateLimits.loginPerMinute),
        },
      });
      const address = await api.listen({ host: config.http.host, port: config.http.port });
      stops.push(() => api.close());
      graphqlUrl = `${address}/graphql`;
    }
    return { graphqlUrl, databaseUrl, log, eventStore, stop };
  } catch (error) {
    await stop();
    throw error;
  }
};

export interface Database {
  databaseUrl: string;
  pool: pg.Pool;
  stop(): Promise<void>;
}

/**
 * The database of this config: DATABASE_URL, or else the embedded PostgreSQL under the data
 * folder. When `npm run dev` already runs it, a second command (produce, consume) connects to
 * that server instead of starting another on the same files.
 */
export const openDatabase = async (config: Config, logger: Logger): Promise<Database> => {
  const stops: (() => Promise<void>)[] = [];
  let databaseUrl = config.databaseUrl ?? embeddedPostgresUrl(config.embedded.postgresPort);
  if (!config.databaseUrl) {
    if (!(await isReachable(databaseUrl))) {
      const dataDir = path.resolve(config.embedded.dataDir, 'postgres');
      logger.info({ dataDir, port: config.embedded.postgresPort }, 'starting embedded PostgreSQL');
      const embedded = await startEmbeddedPostgres({ dataDir, port: config.embedded.postgresPort });
      stops.push(embedded.stop);
      databaseUrl = embedded.connectionString;
    }
  }
  const pool = createPostgresPool({
    connectionString: databaseUrl,
    schema: config.databaseSchema,
    onIdleError: (error) =>
      logger.warn({ err: error }, 'an idle PostgreSQL connection was closed by the server'),
  });
  stops.push(() => pool.end());
  return {
    databaseUrl,
    pool,
    stop: async () => {
      for (const step of stops.reverse()) await step();
    },
  };
};

const isReachable = async (connectionString: string) => {
  const client = new pg.Client({ connectionString, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
};

/**
 * The main schema's tables, in order; the event store's and the embedded log's only when used.
 * Read models are not among them: each projection's tables live in a generation schema that
 * `prepareDatabase` creates and migrates, behind views in the main schema.
 */
export const platformMigrations = (config: Config) => [
  ...(config.eventStoreUrl ? [] : postgresEventStoreMigrations),
  ...projectionRunnerMigrations,
  ...(config.kafkaBrokers ? [] : postgresLogMigrations),
  ...processorMigrations,
  ...relayMigrations,
];

/**
 * Everything every role needs before it starts: the main schema's migrations, then each read
 * model's current generation (created, migrated, behind its views), so queries work even in a
 * process that does not run projections.
 */
export const prepareDatabase = async (pool: pg.Pool, config: Config) => {
  await migrate(pool, config.databaseSchema, platformMigrations(config));
  for (const projection of projectionsWith(config)) {
    await prepareProjection({ pool, schema: config.databaseSchema, projection });
  }
};

/** Kafka when KAFKA_BROKERS is set, else the embedded log in PostgreSQL. */
export const createLog = (config: Config, pool: pg.Pool | null): Log => {
  if (config.kafkaBrokers) return createKafkaLog({ brokers: config.kafkaBrokers, clientId: 'tributary' });
  if (!pool) throw new Error('The embedded log lives in PostgreSQL: open the database first');
  return createPostgresLog({ pool, schema: config.databaseSchema });
};

const projectionPositions = async (pool: pg.Pool) => {
  const { rows } = await pool.query<{ name: string; position: string }>(
    'SELECT name, position FROM projection_status',
  );
  return new Map(rows.map((row) => [row.name, Number(row.position)]));
};

const secretCipherOptions = (secrets: NonNullable<Config['secrets']>) => ({
  keys: Object.fromEntries(Object.entries(secrets.keys).map(([id, key]) => [id, Buffer.from(key, 'base64')])),
  activeKeyId: secrets.activeKeyId,
});
