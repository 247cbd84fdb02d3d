import { upcastEvent } from '../../infra/eventstore/upcast.js';
import { quoteIdentifier } from '../../infra/postgres/postgresPool.js';
import { generationSearchPath, inTransaction, pointViews } from './generationSchema.js';
import { CLEAR_REBUILD } from './leaderWrites.js';
import { LeadershipLostError, type RunnerContext } from './runnerContext.js';

export interface Generation {
  generation: number;
  schemaName: string;
}

/**
 * Makes the rebuilt generation the current one, in ONE transaction: it catches up to the live
 * checkpoint (the caller has stopped the live runner, so that checkpoint holds still), takes
 * over as current with its own checkpoint, the main schema's views point at its tables, and
 * the old generation's schema is dropped. Readers block on the views for the length of this
 * transaction, then see the new tables, never an empty or half-filled one.
 *
 * It catches up only to the live checkpoint, not to the head: the events beyond it were never
 * published as live updates, and the live runner will apply and publish them on the new
 * generation. Returns the new current generation and its checkpoint.
 */
export const swapGeneration = (context: RunnerContext, from: Generation, to: Generation) =>
  inTransaction(context.pool, async (client) => {
    const main = quoteIdentifier(context.schema);
    const { rows } = await client.query<{
      position: number;
      rebuild_generation: number | null;
      rebuild_position: number;
    }>(
      `SELECT position, rebuild_generation, rebuild_position FROM ${main}.projection_status
       WHERE name = $1 AND leader = $2 AND generation = $3 FOR UPDATE`,
      [context.projection.name, context.leaderId, from.generation],
    );
    const row = rows[0];
    if (!row || row.rebuild_generation !== to.generation)
      throw new LeadershipLostError(context.projection.name);
    let position = row.rebuild_position;
    if (position < row.position) {
      await client.query(`SET LOCAL search_path = ${generationSearchPath(to.schemaName, context.schema)}`);
      while (position < row.position) {
        const events = (
          await context.eventStore.readAll({ after: position, maxCount: context.batchSize })
        ).filter((event) => event.position <= row.position);
        const last = events.at(-1);
        if (!last) break;
        await context.projection.apply(client, events.map(upcastEvent));
        position = last.position;
      }
      await client.query(`SET LOCAL search_path = ${main}, public`);
    }
    await client.query(
      `UPDATE ${main}.projection_status SET generation = $2, schema_name = $3, position = $4, status = 'running',
         error_message = NULL, error_position = NULL, failed_at = NULL, ${CLEAR_REBUILD},
         last_rebuilt_at = now(), updated_at = now()
       WHERE name = $1`,
      [context.projection.name, to.generation, to.schemaName, position],
    );
    await pointViews(client, {
      mainSchema: context.schema,
      generationSchema: to.schemaName,
      tables: context.projection.tables,
    });
    await client.query(`DROP SCHEMA IF EXISTS ${quoteIdentifier(from.schemaName)} CASCADE`);
    return { ...to, position };
  });
