import pg from 'pg';
import type { ExistingPipelineState } from '../domain/pipelines/pipelineState.js';
import type { RunCommand, RunState } from '../domain/runs/run.js';
import { TributaryError } from '../errors.js';
import type { OffsetReset } from '../infra/log/log.js';
import { leaderLock } from '../projections/runner/leaderLock.js';
import { startPipelineProcessor } from './pipelineProcessor.js';
import type { ProcessorServices } from './processorServices.js';
import { createRunTracker } from './runTracker.js';
import { sendRunCommand } from './sendRunCommand.js';

export interface BatchRunOptions extends ProcessorServices {
  /** The main schema: names the run's lock. */
  schema: string;
  /** This process, as `batch_run_bounds.started_by` names it. */
  owner: string;
  run: Exclude<RunState, { status: 'none' }>;
  pipeline: ExistingPipelineState;
  isStopping(): boolean;
}

export const batchRunGroupOf = (runId: string) => `tributary.run.${runId}`;

// A partition whose last records are transaction markers never delivers a record at its end
// offset; once its consumer has been quiet this long past its last record, it is drained.
const QUIET_MS = 3_000;
const CHECK_EVERY_MS = 500;

/**
 * Executes a batch run: the run's version processes its source from the run's start (the
 * beginning, or a timestamp or offset for a replay) up to the end the source had when the run
 * started, with a consumer group of its own, then the run completes. One process executes it at a
 * time; when it dies, another takes over where the run's group had committed. A run that cannot be executed (its source is a connector, its
 * processor fails to start) fails with the reason.
 */
/** finished: completed or failed; busy: another process executes it; interrupted: by shutdown. */
export type BatchRunOutcome = 'finished' | 'busy' | 'interrupted';

export const executeBatchRun = async (options: BatchRunOptions): Promise<BatchRunOutcome> => {
  const { pool, logger, run } = options;
  const { runId } = run;
  // One executor at a time: an advisory lock on a connection of its own, which PostgreSQL
  // releases when that session ends however it ends, so another process can take the run over.
  const lock = leaderLock({
    connect: () => new pg.Client({ ...pool.options, application_name: 'tributary-batch-run' }),
    schema: options.schema,
    projection: `batch-run:${runId}`,
    onLost: () => logger.warn({ runId }, 'batch run lock lost with its connection'),
  });
  if (!(await lock.tryAcquire())) {
    await lock.close();
    return 'busy';
  }
  try {
    return await execute(options);
  } finally {
    await lock.close();
  }
};

const execute = async (options: BatchRunOptions): Promise<BatchRunOutcome> => {
  const { pool, eventStore, log, logger, run, pipeline } = options;
  const { runId } = run;
  const send = (command: RunCommand, step: string) =>
    sendRunCommand(eventStore, runId, command, { commandId: `${runId}/${step}` });
  const fail = (error: unknown) =>
    send(
      {
        type: 'FailRun',
        data: {
          runId,
          reason: String((error as Error)?.message ?? error).slice(0, 1000),
          failedAt: new Date().toISOString(),
        },
      },
      'fail',
    ).catch((failError: unknown) => logger.warn({ err: failError, runId }, 'run could not be marked failed'));

  const definition = pipeline.versions[run.version - 1]?.definition;
  try {
    if (!definition || !('topic' in definition.source)) {
      throw new Error('a batch run needs a topic source; connector sources are not supported yet');
    }
    const sourceTopic = definition.source.topic;
    const groupId = batchRunGroupOf(runId);
    await log.ensureTopic(sourceTopic);
    const end = (await boundsOf(pool, runId)) ?? (await fixBounds(options, groupId, sourceTopic));
    const start = await log.committedOffsets(groupId, sourceTopic);
    await send({ type: 'StartRun', data: { runId, startedAt: new Date().toISOString() } }, 'start');

    const tracker = createRunTracker({
      ...options,
      runId,
      pipelineId: run.pipelineId,
      groupId,
      sourceTopic,
      intervalMs: options.progressIntervalMs,
    });
    // Per partition still to drain: the offset after the last record seen, and when.
    const pending = new Map<number, { next: number; at: number }>();
    for (const [partition, endOffset] of end) {
      const from = start.get(partition) ?? 0;
      if (from < endOffset) pending.set(partition, { next: from, at: 0 });
    }
    const processor = await startPipelineProcessor({
      ...options,
      pipelineId: run.pipelineId,
      version: run.version,
      definition,
      groupId,
      endOffsets: end,
      onBatch: (outcome) => {
        tracker.add(outcome);
        const partition = pending.get(outcome.partition);
        if (partition) Object.assign(partition, { next: outcome.nextOffset, at: Date.now() });
      },
    }).catch(async (error: unknown) => {
      await tracker.stop().catch(() => undefined);
      throw error;
    });
    while (pending.size > 0 && !options.isStopping()) {
      await new Promise((resolve) => setTimeout(resolve, CHECK_EVERY_MS));
      for (const [partition, { next, at }] of pending) {
        const endOffset = end.get(partition) ?? 0;
        if (next >= endOffset || (at > 0 && Date.now() - at > QUIET_MS)) pending.delete(partition);
      }
    }
    await processor.stop();
    if (pending.size > 0) {
      // Shutting down mid-run: the counts so far are recorded; the run stays running.
      await tracker.stop();
      logger.warn({ runId }, 'batch run interrupted by shutdown');
      return 'interrupted';
    }
    await tracker.complete();
    logger.info({ runId, pipelineId: run.pipelineId }, 'batch run completed');
    return 'finished';
  } catch (error) {
    if (error instanceof TributaryError && error.code === 'RUN_ALREADY_FINISHED') return 'finished';
    await fail(error);
    throw error;
  }
};

/** The range of a run that started before: its end offsets, as its first executor fixed them. */
const boundsOf = async (pool: pg.Pool, runId: string): Promise<Map<number, number> | null> => {
  const { rows } = await pool.query('SELECT end_offsets FROM batch_run_bounds WHERE run_id = $1', [runId]);
  const stored = rows[0]?.end_offsets as Record<string, number> | undefined;
  return stored
    ? new Map(Object.entries(stored).map(([partition, offset]) => [Number(partition), offset]))
    : null;
};

/** The first start of a run: its group moves to where the run starts, and its end is fixed. */
const fixBounds = async (options: BatchRunOptions, groupId: string, sourceTopic: string) => {
  const { log, run } = options;
  await log.resetGroupOffsets(groupId, sourceTopic, startOf(run));
  const end = await log.endOffsets(sourceTopic);
  await options.pool.query(
    'INSERT INTO batch_run_bounds (run_id, source_topic, end_offsets, started_by) VALUES ($1, $2, $3, $4)',
    [run.runId, sourceTopic, JSON.stringify(Object.fromEntries(end)), options.owner],
  );
  return end;
};

const startOf = (run: BatchRunOptions['run']): OffsetReset => {
  const from = run.startFrom;
  if (from && 'timestamp' in from) return { timestamp: Date.parse(from.timestamp) };
  if (from && 'offset' in from) return { offset: from.offset };
  return 'earliest';
};
