import { loadConfig } from '../config.js';
import { createLogger } from '../logger.js';
import { type Platform, ROLES, type Role, startPlatform } from '../platform.js';
import { UsageError } from './usageError.js';

/** Runs until SIGINT or SIGTERM, then stops every part in order and exits. */
const runUntilSignal = async (platform: Platform) => {
  const signal = await new Promise<string>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  process.stderr.write(`${signal}: stopping Tributary...\n`);
  await platform.stop();
  process.stderr.write('stopped.\n');
};

export const devCommand = async (args: string[]) => {
  if (args.length > 0) throw new UsageError(`dev takes no arguments (got ${args.join(' ')})`);
  const config = loadConfig();
  const logger = createLogger(config);
  const platform = await startPlatform(config, logger);
  const base = platform.graphqlUrl?.replace(/\/graphql$/, '');
  process.stdout.write(
    [
      '',
      'Tributary is running.',
      `  GraphQL:   ${platform.graphqlUrl}`,
      `  GraphiQL:  ${base}/graphiql`,
      `  Database:  ${config.databaseUrl ? 'DATABASE_URL' : `embedded PostgreSQL in ${config.embedded.dataDir}/postgres`}`,
      `  Log:       ${config.kafkaBrokers ? `Kafka at ${config.kafkaBrokers.join(',')}` : 'embedded, in PostgreSQL'}`,
      `  Pub/sub:   ${config.redisUrl ? 'Redis' : 'in memory'}`,
      'Press Ctrl-C to stop.',
      '',
    ].join('\n'),
  );
  await runUntilSignal(platform);
};

export const startCommand = async (args: string[]) => {
  const config = loadConfig();
  if (!config.databaseUrl) {
    throw new UsageError('start needs DATABASE_URL: the embedded PostgreSQL is for `tributary dev` only');
  }
  if (args.length === 0) throw new UsageError(`start needs one or more roles: ${ROLES.join(', ')}, all`);
  const roles = args.includes('all') ? [...ROLES] : args;
  const unknown = roles.filter((role) => !(ROLES as readonly string[]).includes(role));
  if (unknown.length > 0)
    throw new UsageError(`unknown role ${unknown.join(', ')}; roles: ${ROLES.join(', ')}, all`);
  const logger = createLogger(config);
  const platform = await startPlatform(config, logger, roles as Role[]);
  logger.info({ roles, graphqlUrl: platform.graphqlUrl }, 'tributary started');
  await runUntilSignal(platform);
};
