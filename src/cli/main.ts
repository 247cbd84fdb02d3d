import { ConfigError, loadConfig } from '../config.js';
import { consumeCommand } from './consumeCommand.js';
import { migrateCommand } from './migrateCommand.js';
import { produceCommand } from './produceCommand.js';
import { projectionsCommand } from './projectionsCommand.js';
import { devCommand, startCommand } from './runCommands.js';
import { UsageError } from './usageError.js';

const USAGE = `Usage: tributary <command> [options]

Commands:
  dev                       Run the whole platform in this process. Without DATABASE_URL,
                            KAFKA_BROKERS and REDIS_URL it uses an embedded PostgreSQL (data
                            under .tributary/), a log kept in it and in-memory pub/sub.
  start <role...>           Run roles against real services: api, projections, processors, all.
                            Needs DATABASE_URL (the embedded default is for dev only).
  migrate                   Create or update the database tables, then exit.
  produce <topic>           Read JSON lines on stdin and produce one record per line.
      --key <field>         Use this field of each record as the record key.
  consume <topic>           Print the topic's records as JSON lines.
      --group <id>          Consumer group (default: a new one, reading from the beginning).
      --max <n>             Exit after n records.
      --latest              With a new group, read only records produced from now on.
  projections status        Show every read model: status, generation, position, lag, rebuild, error.
  projections rebuild <name>
                            Rebuild a read model from the first event while the current one keeps
                            serving, then swap it in. Shows progress (done/total, rate, ETA) on
                            stderr and exits once swapped. A runner must be running (start, dev).
      --no-wait             Only ask for the rebuild; do not follow it.
  projections resume <name> Make a failed read model apply again from its checkpoint (after a fix).

Environment: DATABASE_URL, KAFKA_BROKERS, REDIS_URL, PORT, HOST, LOG_LEVEL (see README.md).`;

const commands: Record<string, (args: string[]) => Promise<void>> = {
  dev: devCommand,
  start: startCommand,
  migrate: migrateCommand,
  produce: produceCommand,
  consume: consumeCommand,
  projections: projectionsCommand,
};

const main = async () => {
  const [name, ...args] = process.argv.slice(2);
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const command = commands[name];
  if (!command) throw new UsageError(`unknown command "${name}"`);
  // Fail on a bad environment before anything starts, with every problem listed.
  loadConfig();
  await command(args);
};

main().catch((error: unknown) => {
  if (error instanceof UsageError) {
    process.stderr.write(`tributary: ${error.message}\n\n${USAGE}\n`);
  } else if (error instanceof ConfigError) {
    process.stderr.write(`tributary: ${error.message}\n`);
  } else {
    process.stderr.write(`tributary: ${error instanceof Error ? error.message : String(error)}\n`);
  }
  process.exitCode = 1;
});
