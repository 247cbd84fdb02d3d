import { loadConfig } from '../config.js';
import { createLogger } from '../logger.js';
import { openDatabase, prepareDatabase } from '../platform.js';
import { UsageError } from './usageError.js';

export const migrateCommand = async (args: string[]) => {
  if (args.length > 0) throw new UsageError(`migrate takes no arguments (got ${args.join(' ')})`);
  const config = loadConfig();
  const database = await openDatabase(config, createLogger(config));
  try {
    await prepareDatabase(database.pool, config);
    process.stdout.write(`Migrations applied to schema ${config.databaseSchema}, read models included.\n`);
  } finally {
    await database.stop();
  }
};
