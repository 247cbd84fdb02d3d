import type pg from 'pg';
import type { EventStore, EventSubscription } from '../infra/eventstore/eventStore.js';
import type { LiveUpdate, Projection } from './projection.js';

export interface ProjectionRunner {
  /** The last position whose effects are committed in the read model. */
  readonly position: number;
  stop(): Promise<void>;
}

export interface ProjectionRunnerOptions {
  pool: pg.Pool;
  eventStore: EventStore;
  projection: Projection;
  publish(update: LiveUpdate): void;
  onError(error: unknown): void;
  batchSize?: number;
}

/**
 * Runs one projection from its checkpoint: each batch of events is applied and the checkpoint
 * moved in one transaction; live updates go out after that commit, never before.
 */
export const startProjection = async (options: ProjectionRunnerOptions): Promise<ProjectionRunner> => {
  const { pool, eventStore, projection } = options;
  const { rows } = await pool.query<{ position: number }>(
    `INSERT INTO projection_checkpoints (name, position) VALUES ($1, 0)
     ON CONFLICT (name) DO UPDATE SET name = EXCLUDED.name RETURNING position`,
    [projection.name],
  );
  let position = rows[0]?.position ?? 0;

  const subscription: EventSubscription = eventStore.subscribeToAll({
    after: position,
    batchSize: options.batchSize ?? 500,
    onError: options.onError,
    onEvents: async (events) => {
      const last = events.at(-1);
      if (!last) return;
      const client = await pool.connect();
      let updates: LiveUpdate[];
      try {
        await client.query('BEGIN');
        updates = await projection.apply(client, events);
        await client.query(
          'UPDATE projection_checkpoints SET position = $2, updated_at = now() WHERE name = $1',
          [projection.name, last.position],
        );
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw new Error(`Projection ${projection.name} failed at position ${events[0]?.position}`, {
          cause: error,
        });
      } finally {
        client.release();
      }
      position = last.position;
      for (const update of updates) options.publish(update);
    },
  });

  return {
    get position() {
      return position;
    },
    stop: () => subscription.stop(),
  };
};
