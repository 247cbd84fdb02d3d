import { loadConfig } from '../config.js';
import { migrate } from '../infra/postgres/migrate.js';
import { createLogger } from '../logger.js';
import { openDatabase, platformMigrations } from '../platform.js';
import { UsageError } from './usageError.js';

export const migrateCommand = async (args: string[]) => {
  if (args.length > 0) throw new UsageError(`migrate takes no arguments (got ${args.join(' ')})`);
  const config = loadConfig();
  const database = await openDatabase(config, createLogger(config));
  try {
    await migrate(database.pool, config.databaseSchema, platformMigrations(config));
    process.stdout.write(`Migrations applied to schema ${config.databaseSchema}.\n`);
  } finally {
    await database.stop();
  }
};
