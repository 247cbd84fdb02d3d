import type { EventMetadata, RecordedEvent } from '../../src/infra/eventstore/eventStore.js';
import { migrate } from '../../src/infra/postgres/migrate.js';
import { createPostgresPool } from '../../src/infra/postgres/postgresPool.js';
import type { Projection } from '../../src/projections/projection.js';
import { createTestSchema, dropTestSchema, testServices } from '../setup/testServices.js';

/**
 * A projection's tables in a schema of their own, and a way to hand it events as the runner
 * does: a batch applied in one transaction. Events get positions from 1 upward in the order
 * they are given, across calls.
 */
export const projectionTestBed = (projection: Projection) => {
  const { databaseUrl } = testServices();
  const schema = createTestSchema(projection.name);
  const pool = createPostgresPool({ connectionString: databaseUrl, schema });
  let position = 0;

  const deliver = async (events: readonly RecordedEvent[]) => {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await projection.apply(client, events);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    } finally {
      client.release();
    }
  };

  return {
    pool,
    setUp: () => migrate(pool, schema, projection.migrations),
    tearDown: async () => {
      await pool.end();
      await dropTestSchema(databaseUrl, schema);
    },
    /** Gives each event the next position, as the event store would. */
    record: (streamId: string, events: readonly { type: string; data: unknown }[]): RecordedEvent[] =>
      events.map((event, revision) => ({
        id: `event-${position + 1}`,
        streamId,
        revision,
        position: ++position,
        type: event.type,
        data: event.data,
        metadata: { actor: 'test' } satisfies EventMetadata,
        recordedAt: new Date('2026-01-01T00:00:00.000Z'),
      })),
    /** Applies the events once, then the same events again, as a redelivery would. */
    deliverTwice: async (events: readonly RecordedEvent[]) => {
      await deliver(events);
      await deliver(events);
    },
    deliver,
  };
};
