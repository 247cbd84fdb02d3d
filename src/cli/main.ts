import { ConfigError, loadConfig } from '../config.js';
import { consumeCommand } from './consumeCommand.js';
import { dlqCommand } from './dlqCommand.js';
import { migrateCommand } from './migrateCommand.js';
import { produceCommand } from './produceCommand.js';
import { projectionsCommand } from './projectionsCommand.js';
import { replayCommand } from './replayCommand.js';
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
  replay <pipelineId>       Reprocess the pipeline's source as a new batch run of its published
                            version, from the beginning; prints the run id, then its progress on
                            stderr until it ends (exit 1 when it fails or is cancelled).
      --from <instant>      Start each partition at its first record at or after this ISO-8601
                            instant, such as 2026-03-01T09:00:00Z.
      --from-offset <n>     Start every partition at offset n (not with --from).
      --version <n>         Run this published version instead.
      --no-wait             Only request the run; do not follow it.
  dlq list <pipelineId>     Print the pipeline's dead letters as JSON lines (partition, offset,
                            key, error, step, source, value as text); the replay group stays put.
      --max <n>             Print at most n.
  dlq replay <pipelineId>   Produce the dead letters back to the pipeline's source topic, each
                            once however often it runs, with a progress line on stderr.

Environment: DATABASE_URL, KAFKA_BROKERS, REDIS_URL, PORT, HOST, LOG_LEVEL (see README.md).`;

const commands: Record<string, (args: string[]) => Promise<void>> = {
  dev: devCommand,
  start: startCommand,
  migrate: migrateCommand,
  produce: produceCommand,
  consume: consumeCommand,
  projections: projectionsCommand,
  replay: replayCommand,
  dlq: dlqCommand,
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
