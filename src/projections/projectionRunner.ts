import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import pg from 'pg';
import type { EventStore } from '../infra/eventstore/eventStore.js';
import { interruptibleSleep } from '../infra/timing/interruptibleSleep.js';
import type { Logger } from '../logger.js';
import type { Projection } from './projection.js';
import { leaderLock } from './runner/leaderLock.js';
import { prepareProjection } from './runner/prepareProjection.js';
import { type ProjectionLeader, startLeader } from './runner/projectionLeader.js';

export interface ProjectionRunner {
  readonly name: string;
  /** True while this runner holds the leader lock and applies events. */
  readonly isLeader: boolean;
  /** The last checkpoint this runner committed, or found when it last took over. */
  readonly position: number;
  /** Finishes the batch in hand, records `stopped` if it leads, and hands leadership on. */
  stop(): Promise<void>;
}

export interface ProjectionRunnerOptions {
  pool: pg.Pool;
  /** The main schema, the one the pool's search_path starts with. */
  schema: string;
  eventStore: EventStore;
  projection: Projection;
  /** Live updates of the read model, and `projectionProgress`; only after their rows commit. */
  publish(topic: string, payload: unknown): void;
  logger: Logger;
  batchSize?: number;
  /** How often a standby tries the leader lock (default 1 s). */
  standbyRetryMs?: number;
  /** How often the leader checks its lock, the head and requests from the API (default 1 s). */
  tickMs?: number;
  /** Least time between two `projectionProgress` messages of this projection (default 1 s). */
  progressIntervalMs?: number;
  /** Opens the lock's own connection; by default a client with the pool's settings. */
  connectLock?: () => pg.Client;
}

/**
 * Runs one projection in this process: as its leader when this runner holds the projection's
 * advisory lock, else as a standby that tries again every `standbyRetryMs` and takes over from
 * the checkpoint when the leader's session ends. Only the leader applies events; see
 * runner/projectionLeader.ts for what it does, and DESIGN.md §3.
 */
export const startProjection = async (options: ProjectionRunnerOptions): Promise<ProjectionRunner> => {
  const { pool, schema, projection, logger } = options;
  await prepareProjection({ pool, schema, projection });
  const standbyRetryMs = options.standbyRetryMs ?? 1_000;
  const context = {
    pool,
    schema,
    eventStore: options.eventStore,
    projection,
    leaderId: `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`,
    batchSize: options.batchSize ?? 500,
    logger,
  };
  let leader: ProjectionLeader | null = null;
  let position = 0;
  let stopped = false;
  const idle = interruptibleSleep();

  const lock = leaderLock({
    connect:
      options.connectLock ??
      (() =>
        new pg.Client({ ...pool.options, application_name: 'tributary-projection-lock', keepAlive: true })),
    schema,
    projection: projection.name,
    onLost: () => leader?.lose(),
  });

  const standBy = () => idle.sleep(standbyRetryMs);

  const loop = async () => {
    while (!stopped) {
      let acquired = false;
      try {
        acquired = await lock.tryAcquire();
      } catch (error) {
        logger.warn({ err: error, projection: projection.name }, 'projection lock unreachable; retrying');
      }
      if (!acquired || stopped) {
        await standBy();
        continue;
      }
      try {
        leader = await startLeader({
          context,
          heartbeat: () => lock.heartbeat(),
          publish: options.publish,
          tickMs: options.tickMs ?? 1_000,
          progressIntervalMs: options.progressIntervalMs ?? 1_000,
        });
        if (stopped) void leader.stop();
        await leader.done;
        position = leader.position;
      } catch (error) {
        logger.error({ err: error, projection: projection.name }, 'projection leader could not start');
      }
      leader = null;
      // Hand the lock back (a clean stop) or find it gone (lost): either way a fresh session next.
      await lock.close();
      if (!stopped) await standBy();
    }
  };
  const running = loop();

  return {
    name: projection.name,
    get isLeader() {
      return leader?.active ?? false;
    },
    get position() {
      return leader?.position ?? position;
    },
    async stop() {
      stopped = true;
      idle.wake();
      await leader?.stop();
      await running;
      await lock.close();
    },
  };
};
