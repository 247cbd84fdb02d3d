import { leaderWrites } from './leaderWrites.js';
import { type LiveProjection, startLiveProjection } from './liveProjection.js';
import { progressThrottle } from './progressThrottle.js';
import { readProjectionStatus } from './projectionStatusQueries.js';
import type { ProjectionState, ProjectionStatusRow } from './projectionStatusRow.js';
import { type RebuildTarget, type RebuildWorker, startRebuildWorker } from './rebuildWorker.js';
import {
  isConnectionError,
  LeadershipLostError,
  messageOf,
  PoisonEventError,
  type RunnerContext,
} from './runnerContext.js';
import { type Generation, swapGeneration } from './swapGeneration.js';

/** The topic of `projectionProgress`: a ProjectionStatusView, at most once a second per projection. */
export const PROJECTION_PROGRESS = 'projectionProgress';

export interface LeaderOptions {
  context: RunnerContext;
  /** Proves the leader lock is still held; throws when its connection is gone. */
  heartbeat(): Promise<void>;
  publish(topic: string, payload: unknown): void;
  tickMs: number;
  progressIntervalMs: number;
}

export interface ProjectionLeader {
  /** Resolves when leadership ends: stopped, or lost to another runner. */
  readonly done: Promise<void>;
  readonly position: number;
  /** False from the moment leadership ends, while work in hand winds down. */
  readonly active: boolean;
  /** Leadership is gone (lock connection lost): stop everything without writing to the row. */
  lose(): void;
  /** Clean stop: work in hand finishes, the row says `stopped`, leadership is handed back. */
  stop(): Promise<void>;
}

/**
 * What the runner that holds the lock does, reconciling with its status row every tick: keep the
 * live runner going on the current generation (unless it failed and no resume was asked for),
 * run a rebuild when one is requested or was under way, swap it in when it has caught up.
 * Every change of state goes through `serial`, one at a time, so a swap never races a restart.
 */
export const startLeader = async (options: LeaderOptions): Promise<ProjectionLeader> => {
  const { context } = options;
  const { logger, projection } = context;
  const writes = leaderWrites(context);
  const claimed = await writes.claim();
  let current: Generation = { generation: claimed.generation, schemaName: claimed.schema_name };
  let position = claimed.position;
  let head = claimed.head;
  let live: LiveProjection | null = null;
  let liveFailed = false;
  let rebuild: RebuildWorker | null = null;
  let ending: Promise<void> | null = null;
  let timer: NodeJS.Timeout | null = null;
  let finish!: () => void;
  const done = new Promise<void>((resolve) => {
    finish = resolve;
  });

  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(work: () => Promise<T>): Promise<T> => {
    const next = queue.then(work);
    queue = next.catch(() => undefined);
    return next;
  };

  const state = (): ProjectionState => (liveFailed ? 'failed' : rebuild ? 'rebuilding' : 'running');

  let published = '';
  const progress = progressThrottle(options.progressIntervalMs, async () => {
    const status = await readProjectionStatus(context.pool, projection.name);
    const { updatedAt: _, ...compared } = status;
    const key = JSON.stringify(compared);
    if (key === published) return;
    published = key;
    options.publish(PROJECTION_PROGRESS, status);
  });

  const startLive = () => {
    if (ending || live || liveFailed) return;
    const instance: LiveProjection = startLiveProjection(
      context,
      { ...current, position },
      {
        onCommitted: (result) => {
          position = result.position;
          for (const update of result.updates) options.publish(update.topic, update.payload);
        },
        onEnd: (error) => void serial(() => onLiveEnd(instance, error)),
      },
    );
    live = instance;
  };

  const onLiveEnd = async (instance: LiveProjection, error: unknown) => {
    if (ending || live !== instance) return;
    live = null;
    if (error instanceof LeadershipLostError) return lose();
    if (error instanceof PoisonEventError) {
      liveFailed = true;
      logger.error(
        { err: error, projection: projection.name, position: error.event.position },
        'projection failed',
      );
      await writes.markFailed(messageOf(error), error.event.position).catch(onWriteError);
      progress.request();
      return;
    }
    // Reading the log or reaching the database failed: the next tick starts again from the checkpoint.
    logger.warn({ err: error, projection: projection.name }, 'projection interrupted; retrying');
  };

  const startRebuild = (target: RebuildTarget) => {
    const worker: RebuildWorker = startRebuildWorker(context, target, {
      head: () => head,
      swap: (caughtUp) => serial(() => swap(worker, caughtUp)),
      onEnd: (error) => void serial(() => onRebuildEnd(worker, error)),
    });
    rebuild = worker;
    logger.info({ projection: projection.name, generation: target.generation }, 'projection rebuild started');
  };

  const swap = async (worker: RebuildWorker, target: RebuildTarget) => {
    if (ending || rebuild !== worker) return;
    await live?.stop();
    live = null;
    try {
      const swapped = await swapGeneration(context, current, target);
      logger.info(
        { projection: projection.name, generation: swapped.generation, position: swapped.position },
        'projection rebuild swapped in',
      );
      current = { generation: swapped.generation, schemaName: swapped.schemaName };
      position = swapped.position;
      liveFailed = false;
      rebuild = null;
      progress.request();
    } finally {
      startLive();
    }
  };

  const onRebuildEnd = async (worker: RebuildWorker, error: unknown) => {
    if (ending || rebuild !== worker) return;
    rebuild = null;
    if (error === null) return;
    if (error instanceof LeadershipLostError) return lose();
    if (isConnectionError(error)) {
      // Its checkpoint is in the row: the next tick resumes it.
      logger.warn({ err: error, projection: projection.name }, 'projection rebuild interrupted; resuming');
      return;
    }
    logger.error({ err: error, projection: projection.name }, 'projection rebuild failed');
    const at = error instanceof PoisonEventError ? error.event.position : null;
    await writes.failRebuild(worker.target.schemaName, messageOf(error), at, state()).catch(onWriteError);
    progress.request();
  };

  const tick = async () => {
    if (ending) return;
    await options.heartbeat();
    head = Math.max(head, await context.eventStore.headPosition());
    let row = await writes.poll(head);
    if (row.resume_requested_at && !ending) {
      liveFailed = false;
      row = await writes.resumed(state());
      logger.info({ projection: projection.name, position }, 'projection resumed');
    }
    startLive();
    if (!rebuild && !ending) await startRequestedRebuild(row);
    progress.request();
  };

  const startRequestedRebuild = async (row: ProjectionStatusRow) => {
    if (row.rebuild_generation !== null && row.rebuild_schema !== null) {
      startRebuild({
        generation: row.rebuild_generation,
        schemaName: row.rebuild_schema,
        position: row.rebuild_position ?? 0,
        done: row.rebuild_done ?? 0,
      });
    } else if (row.rebuild_requested_at !== null) {
      const begun = await writes.beginRebuild(row, head);
      startRebuild({
        generation: begun.rebuild_generation!,
        schemaName: begun.rebuild_schema!,
        position: 0,
        done: 0,
      });
    }
  };

  const onWriteError = (error: unknown) => {
    if (error instanceof LeadershipLostError) lose();
    else logger.warn({ err: error, projection: projection.name }, 'projection status not written');
  };

  const scheduleTick = () => {
    timer = setTimeout(() => {
      void serial(tick)
        .catch((error: unknown) => {
          if (error instanceof LeadershipLostError) return lose();
          logger.warn({ err: error, projection: projection.name }, 'projection tick failed');
        })
        .finally(() => {
          if (!ending) scheduleTick();
        });
    }, options.tickMs);
  };

  const end = (clean: boolean) => {
    ending ??= (async () => {
      if (timer) clearTimeout(timer);
      await rebuild?.stop();
      await serial(async () => {
        await live?.stop();
        live = null;
      }).catch(() => undefined);
      await progress.cancel();
      if (clean) await writes.release().catch(onWriteError);
      finish();
    })();
    return ending;
  };
  const lose = () => {
    logger.warn({ projection: projection.name }, 'projection leadership lost; standing by');
    void end(false);
  };

  logger.info(
    { projection: projection.name, generation: current.generation, position },
    'projection leading',
  );
  await serial(tick).catch((error: unknown) => {
    if (error instanceof LeadershipLostError) lose();
    else logger.warn({ err: error, projection: projection.name }, 'projection tick failed');
  });
  if (!ending) scheduleTick();

  return {
    done,
    get position() {
      return position;
    },
    get active() {
      return ending === null;
    },
    lose,
    stop: () => end(true),
  };
};
