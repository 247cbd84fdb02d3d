import { loadConfig } from '../config.js';
import { createLogger } from '../logger.js';
import { type Platform, ROLES, type Role, startPlatform } from '../platform.js';
import { UsageError } from './usageError.js';

// Under Kubernetes' default 30 s grace period, so we end on our own terms before a SIGKILL.
const SHUTDOWN_TIMEOUT_MS = 25_000;
// Once everything stopped, a handle still open (a driver's timer, a socket) is a leak, not work.
const EXIT_AFTER_STOP_MS = 1_000;

/**
 * Runs until SIGINT or SIGTERM, then stops every part in the platform's order: the API stops
 * taking requests and finishes those in flight (subscriptions are closed), processors commit
 * their offsets, projections their checkpoints. A second signal, or a stop that takes longer
 * than SHUTDOWN_TIMEOUT_MS, ends the process at once with exit code 1.
 */
const runUntilSignal = async (platform: Platform) => {
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  process.stderr.write(`${signal}: stopping Tributary (send it again to stop at once)...\n`);
  const forceExit = (reason: string) => {
    process.stderr.write(`${reason}: exiting without finishing\n`);
    process.exit(1);
  };
  process.once('SIGINT', () => forceExit('SIGINT again'));
  process.once('SIGTERM', () => forceExit('SIGTERM again'));
  const timeout = setTimeout(
    () => forceExit(`still stopping after ${SHUTDOWN_TIMEOUT_MS} ms`),
    SHUTDOWN_TIMEOUT_MS,
  );
  await platform.stop();
  clearTimeout(timeout);
  process.stderr.write('stopped.\n');
  setTimeout(() => process.exit(0), EXIT_AFTER_STOP_MS).unref();
};

export const devCommand = async (args: string[]) => {
  if (args.length > 0) throw new UsageError(`dev takes no arguments (got ${args.join(' ')})`);
  const config = loadConfig(undefined, { dev: true });
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
      `  Accounts:  ${config.auth.disabled ? 'off: every request acts as an admin (AUTH_DISABLED=false to sign in)' : 'on: sign in with login, send Authorization: Bearer <token>'}`,
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
