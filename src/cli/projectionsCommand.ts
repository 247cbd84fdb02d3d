import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import type pg from 'pg';
import { loadConfig } from '../config.js';
import { isTributaryError } from '../errors.js';
import { createLogger } from '../logger.js';
import { openDatabase } from '../platform.js';
import {
  readProjectionStatus,
  readProjectionStatuses,
  requestRebuild,
  requestResume,
} from '../projections/runner/projectionStatusQueries.js';
import type { ProjectionStatusView } from '../projections/runner/projectionStatusView.js';
import { formatDuration, progressBar } from './progressBar.js';
import { UsageError } from './usageError.js';

const POLL_MS = 250;

/**
 * `tributary projections status | rebuild <name> | resume <name>`. The runners do the work
 * (`tributary start projections`, or `dev`); these commands read their status and leave them
 * requests, so they work from any machine that reaches the database.
 */
export const projectionsCommand = async (args: string[]) => {
  const { positionals, values } = parseArgs({
    args,
    allowPositionals: true,
    options: { 'no-wait': { type: 'boolean' } },
  });
  const [action, name, ...extra] = positionals;
  if (extra.length > 0) throw new UsageError(`projections ${action}: unexpected ${extra.join(' ')}`);
  if (action === 'status') {
    if (name) throw new UsageError('projections status takes no name');
    return withPool((pool) => printStatus(pool));
  }
  if (action !== 'rebuild' && action !== 'resume') {
    throw new UsageError(
      `projections needs status, rebuild <name> or resume <name>${action ? ` (got "${action}")` : ''}`,
    );
  }
  if (!name) throw new UsageError(`projections ${action} needs the name of a projection`);
  if (action === 'resume') return withPool((pool) => resume(pool, name));
  return withPool((pool) => rebuild(pool, name, !values['no-wait']));
};

const withPool = async (work: (pool: pg.Pool) => Promise<void>) => {
  const config = loadConfig();
  const database = await openDatabase(config, createLogger({ logLevel: 'warn' }));
  try {
    await work(database.pool);
  } catch (error) {
    if ((error as { code?: string }).code === '42P01') {
      throw new Error(
        `schema ${config.databaseSchema} has no projections yet: run \`tributary migrate\` or start Tributary`,
        {
          cause: error,
        },
      );
    }
    throw error;
  } finally {
    await database.stop();
  }
};

const COLUMNS = ['PROJECTION', 'STATUS', 'GEN', 'POSITION', 'LAG', 'REBUILD', 'ERROR'] as const;

const printStatus = async (pool: pg.Pool) => {
  const rows = (await readProjectionStatuses(pool)).map((status) => [
    status.name,
    status.status,
    String(status.generation),
    status.position,
    status.lag,
    rebuildCell(status),
    status.error ? `at ${status.error.position}: ${status.error.message}` : '-',
  ]);
  const table = [[...COLUMNS], ...rows];
  const widths = COLUMNS.map((_, column) => Math.max(...table.map((row) => row[column]!.length)));
  for (const row of table) {
    const cells = row.map((cell, column) =>
      column === row.length - 1 ? cell : cell.padEnd(widths[column]!),
    );
    process.stdout.write(`${cells.join('  ')}\n`);
  }
};

const rebuildCell = ({ rebuild }: ProjectionStatusView) => {
  if (!rebuild) return '-';
  if (rebuild.generation === null) return 'requested';
  const percent = rebuild.total > 0 ? Math.floor((rebuild.done / rebuild.total) * 100) : 0;
  return `g${rebuild.generation} ${percent}%${rebuild.etaSeconds === null ? '' : ` ETA ${formatDuration(rebuild.etaSeconds)}`}`;
};

const resume = async (pool: pg.Pool, name: string) => {
  const status = await requestResume(pool, name);
  process.stdout.write(
    `${name}: resume requested; its leader applies again from position ${status.position} (the failed event at ${status.error?.position}).\n`,
  );
};

/** Asks for the rebuild (or follows the one under way) and shows its progress until it is swapped in. */
const rebuild = async (pool: pg.Pool, name: string, wait: boolean) => {
  const requestedAt = new Date();
  let status: ProjectionStatusView;
  try {
    status = await requestRebuild(pool, name);
  } catch (error) {
    if (!isTributaryError(error) || error.code !== 'PROJECTION_REBUILD_IN_PROGRESS') throw error;
    status = await readProjectionStatus(pool, name);
    process.stderr.write(`${name}: a rebuild is already under way; following it\n`);
  }
  const from = status.rebuild?.generation ? status.rebuild.generation - 1 : status.generation;
  if (!wait) {
    process.stdout.write(`${name}: rebuild requested.\n`);
    return;
  }
  const bar = progressBar();
  let warned = false;
  let stop = false;
  const interrupt = () => {
    stop = true;
  };
  process.once('SIGINT', interrupt);
  try {
    while (!stop) {
      status = await readProjectionStatus(pool, name);
      if (status.generation > from) {
        bar.finish();
        process.stdout.write(
          `${name}: generation ${status.generation} swapped in at position ${status.position}; generation ${from} dropped.\n`,
        );
        return;
      }
      const failure = status.lastRebuildError;
      if (failure?.at && new Date(failure.at) >= requestedAt && !status.rebuild) {
        bar.finish();
        throw new Error(
          `${name}: the rebuild failed${failure.position ? ` at position ${failure.position}` : ''}: ${failure.message}`,
        );
      }
      if (!warned && (status.status === 'stopped' || status.status === 'standby')) {
        warned = true;
        bar.finish();
        process.stderr.write(
          `${name}: no runner leads this projection now; the rebuild starts when one does (tributary start projections)\n`,
        );
      }
      if (status.rebuild?.generation) {
        const { done, total, eventsPerSecond, etaSeconds } = status.rebuild;
        bar.update({
          label: `${name} g${status.rebuild.generation}`,
          done,
          total,
          perSecond: eventsPerSecond,
          etaSeconds,
        });
      }
      await sleep(POLL_MS);
    }
    bar.finish();
    process.stderr.write(`${name}: stopped watching; the rebuild goes on (tributary projections status)\n`);
  } finally {
    process.removeListener('SIGINT', interrupt);
  }
};
