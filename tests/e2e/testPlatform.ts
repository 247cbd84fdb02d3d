import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { type Role, startPlatform } from '../../src/platform.js';
import { testServices } from '../setup/testServices.js';

/**
 * The platform on the test services, in a schema of its own, listening on a free port: the
 * embedded log and in-memory pub/sub unless the test asks for Kafka or Redis.
 */
export const startTestPlatform = (
  schema: string,
  options: { kafka?: boolean; redis?: boolean; env?: Record<string, string>; roles?: readonly Role[] } = {},
) => {
  const services = testServices();
  const config = loadConfig({
    DATABASE_URL: services.databaseUrl,
    DATABASE_SCHEMA: schema,
    PORT: '0',
    LOG_LEVEL: 'warn',
    // Tests about something else act as the development admin; auth tests pass AUTH_DISABLED: 'false'.
    AUTH_DISABLED: 'true',
    // Every test platform on the shared broker relays to a topic of its own.
    ...(options.kafka && {
      KAFKA_BROKERS: services.kafkaBrokers.join(','),
      EVENTS_TOPIC: `tributary.events.${schema}`,
    }),
    ...(options.redis && { REDIS_URL: services.redisUrl }),
    ...options.env,
  });
  return startPlatform(config, createLogger(config), options.roles);
};
