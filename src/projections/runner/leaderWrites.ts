import type pg from 'pg';
import { quoteIdentifier } from '../../infra/postgres/postgresPool.js';
import { generationSchemaName } from './generationNames.js';
import { inTransaction, migrateGeneration } from './generationSchema.js';
import type { ProjectionState, ProjectionStatusRow } from './projectionStatusRow.js';
import { LeadershipLostError, type RunnerContext } from './runnerContext.js';

/** Resets the rebuild columns of a row: none is under way. */
export const CLEAR_REBUILD = `rebuild_generation = NULL, rebuild_schema = NULL, rebuild_position = NULL,
  rebuild_done = NULL, rebuild_total = NULL, rebuild_rate = NULL, rebuild_started_at = NULL`;

/**
 * The leader's writes to its `projection_status` row. Each is fenced by `leader = <this
 * runner>`: once another runner has claimed the row, they change nothing and report it
 * (LeadershipLostError), so a runner that lost its lock cannot undo its successor's work.
 */
export const leaderWrites = (context: RunnerContext) => {
  const { pool, projection, leaderId } = context;
  const table = `${quoteIdentifier(context.schema)}.projection_status`;
  const fenced = async (client: pg.Pool | pg.ClientBase, sql: string, params: unknown[] = []) => {
    const { rows } = await client.query<ProjectionStatusRow>(
      `UPDATE ${table} SET ${sql}, updated_at = now() WHERE name = $1 AND leader = $2 RETURNING *`,
      [projection.name, leaderId, ...params],
    );
    if (!rows[0]) throw new LeadershipLostError(projection.name);
    return rows[0];
  };

  return {
    /**
     * Takes the row over as its new leader. A failure recorded by an earlier leader is cleared:
     * starting again (after a fix and a restart, say) is how a failed projection is retried.
     */
    async claim(): Promise<ProjectionStatusRow> {
      const { rows } = await pool.query<ProjectionStatusRow>(
        `UPDATE ${table} SET leader = $2,
           status = CASE WHEN rebuild_generation IS NULL THEN 'running' ELSE 'rebuilding' END,
           error_message = NULL, error_position = NULL, failed_at = NULL, resume_requested_at = NULL,
           updated_at = now()
         WHERE name = $1 RETURNING *`,
        [projection.name, leaderId],
      );
      if (!rows[0])
        throw new Error(`Projection ${projection.name} is not prepared: no projection_status row`);
      return rows[0];
    },

    /** The row as it is now, with the head moved on if it did; requests from the API arrive here. */
    async poll(head: number): Promise<ProjectionStatusRow> {
      const { rows } = await pool.query<ProjectionStatusRow>(`SELECT * FROM ${table} WHERE name = $1`, [
        projection.name,
      ]);
      const row = rows[0];
      if (!row || row.leader !== leaderId) throw new LeadershipLostError(projection.name);
      return head > row.head ? fenced(pool, 'head = GREATEST(head, $3)', [head]) : row;
    },

    markFailed: (message: string, position: number) =>
      fenced(pool, `status = 'failed', error_message = $3, error_position = $4, failed_at = now()`, [
        message,
        position,
      ]),

    /** A resume request is answered: the error goes, and the state is what the leader now does. */
    resumed: (status: ProjectionState) =>
      fenced(
        pool,
        'status = $3, resume_requested_at = NULL, error_message = NULL, error_position = NULL, failed_at = NULL',
        [status],
      ),

    /** Clean stop: the next runner to lead will find the row as this one left it. */
    release: () => fenced(pool, `status = 'stopped', leader = NULL`),

    /**
     * Creates generation N+1 (N the current one), migrated and empty, and records it as the
     * rebuild under way with checkpoint 0. A schema of that name is left over from a rebuild
     * that failed or was abandoned before this row named it, so it is dropped first.
     */
    beginRebuild: (current: ProjectionStatusRow, head: number) =>
      inTransaction(pool, async (client) => {
        const generation = current.generation + 1;
        const schemaName = generationSchemaName(context.schema, projection.name, generation);
        await client.query(`DROP SCHEMA IF EXISTS ${quoteIdentifier(schemaName)} CASCADE`);
        await client.query(`CREATE SCHEMA ${quoteIdentifier(schemaName)}`);
        await migrateGeneration(client, {
          mainSchema: context.schema,
          generationSchema: schemaName,
          projection: projection.name,
          migrations: projection.migrations,
        });
        return fenced(
          client,
          `rebuild_generation = $3, rebuild_schema = $4, rebuild_position = 0, rebuild_done = 0,
           rebuild_total = $5, rebuild_rate = 0, rebuild_started_at = now(), rebuild_requested_at = NULL,
           status = CASE WHEN status = 'failed' THEN 'failed' ELSE 'rebuilding' END`,
          [generation, schemaName, head],
        );
      }),

    /** Gives a rebuild up: its schema goes, the current generation stays, the reason is kept. */
    failRebuild: (rebuildSchema: string, message: string, position: number | null, status: ProjectionState) =>
      inTransaction(pool, async (client) => {
        await client.query(`DROP SCHEMA IF EXISTS ${quoteIdentifier(rebuildSchema)} CASCADE`);
        return fenced(
          client,
          `${CLEAR_REBUILD}, rebuild_requested_at = NULL, last_rebuild_error = $3,
           last_rebuild_error_position = $4, last_rebuild_failed_at = now(), status = $5`,
          [message, position, status],
        );
      }),
  };
};

export type LeaderWrites = ReturnType<typeof leaderWrites>;
