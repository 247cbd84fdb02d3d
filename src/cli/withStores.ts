import { loadConfig } from '../config.js';
import type { EventStore } from '../infra/eventstore/eventStore.js';
import { createEventStoreDbEventStore } from '../infra/eventstore/eventStoreDbEventStore.js';
import { createPostgresEventStore } from '../infra/eventstore/postgresEventStore.js';
import type { Log } from '../infra/log/log.js';
import { createLogger } from '../logger.js';
import { createLog, openDatabase } from '../platform.js';

export interface CliStores {
  eventStore: EventStore;
  /** The configured log, connected on first use. */
  log(): Log;
}

/**
 * The configured event store (and log, when asked for) for one CLI command, then closed: what a
 * command needs to send commands through `handleCommand` as the API does, from any machine
 * that reaches the services.
 */
export const withStores = async <T>(work: (stores: CliStores) => Promise<T>): Promise<T> => {
  const config = loadConfig();
  const database = await openDatabase(config, createLogger({ logLevel: 'warn' }));
  const eventStore = config.eventStoreUrl
    ? createEventStoreDbEventStore({ connectionString: config.eventStoreUrl })
    : createPostgresEventStore({ pool: database.pool, schema: config.databaseSchema });
  let log: Log | undefined;
  try {
    return await work({ eventStore, log: () => (log ??= createLog(config, database.pool)) });
  } catch (error) {
    if ((error as { code?: string }).code === '42P01') {
      throw new Error(
        `schema ${config.databaseSchema} has no event store yet: run \`tributary migrate\` or start Tributary`,
        { cause: error },
      );
    }
    throw error;
  } finally {
    await log?.close();
    await eventStore.close();
    await database.stop();
  }
};
