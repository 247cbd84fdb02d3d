import { loadConfig } from '../config.js';
import type { Log } from '../infra/log/log.js';
import { createLogger } from '../logger.js';
import { createLog, openDatabase } from '../platform.js';

/** Opens the configured log (Kafka, or the embedded one) for one CLI command, then closes it. */
export const withLog = async <T>(work: (log: Log) => Promise<T>): Promise<T> => {
  const config = loadConfig();
  // CLI output is the records; logs would get in the way of a pipe.
  const logger = createLogger({ logLevel: 'warn' });
  const database = config.kafkaBrokers ? null : await openDatabase(config, logger);
  const log = createLog(config, database?.pool ?? null);
  try {
    return await work(log);
  } finally {
    await log.close();
    await database?.stop();
  }
};
