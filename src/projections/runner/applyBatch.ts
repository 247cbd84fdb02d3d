import type pg from 'pg';
import type { RecordedEvent } from '../../infra/eventstore/eventStore.js';
import { upcastEvent } from '../../infra/eventstore/upcast.js';
import { quoteIdentifier } from '../../infra/postgres/postgresPool.js';
import type { LiveUpdate } from '../projection.js';
import { generationSearchPath, inTransaction } from './generationSchema.js';
import { isConnectionError, LeadershipLostError, type RunnerContext } from './runnerContext.js';

/** Where a batch goes: the current generation (live) or the one being built (rebuild). */
export interface ApplyTarget {
  kind: 'live' | 'rebuild';
  generation: number;
  schemaName: string;
  /** The checkpoint as this runner last committed it: the compare of the compare-and-set. */
  position: number;
  /** For a rebuild: events done so far, the head it aims at and its rate, saved with its checkpoint. */
  progress?: { done: number; head: number; rate(done: number): number };
}

export interface BatchResult {
  /** The checkpoint now committed. */
  position: number;
  /** Events committed by this call. */
  applied: number;
  updates: LiveUpdate[];
  /** The event `apply` failed on, alone in its transaction; the checkpoint stays just before it. */
  poison: { event: RecordedEvent; error: unknown } | null;
}

/**
 * Applies `events` and moves the checkpoint in one transaction, under the generation's
 * search_path. The checkpoint moves by compare-and-set on (leader, generation, position): a
 * runner that lost the lock, or a batch that raced a swap, commits nothing and learns it
 * (LeadershipLostError), so no event takes effect twice even with two runners believing they lead.
 *
 * When the batch fails, its events are applied again one per transaction, so the ones before
 * the culprit commit and the culprit is named exactly.
 */
export const applyBatch = async (
  context: RunnerContext,
  target: ApplyTarget,
  events: readonly RecordedEvent[],
): Promise<BatchResult> => {
  try {
    return await commit(context, target, events);
  } catch (error) {
    if (error instanceof LeadershipLostError || isConnectionError(error)) throw error;
    if (events.length === 1) {
      return { position: target.position, applied: 0, updates: [], poison: { event: events[0]!, error } };
    }
  }
  let result: BatchResult = { position: target.position, applied: 0, updates: [], poison: null };
  for (const event of events) {
    const progress = target.progress && { ...target.progress, done: target.progress.done + result.applied };
    const single = await applyBatch(context, { ...target, position: result.position, progress }, [event]);
    result = {
      position: single.position,
      applied: result.applied + single.applied,
      updates: [...result.updates, ...single.updates],
      poison: single.poison,
    };
    if (single.poison) break;
  }
  return result;
};

const commit = (context: RunnerContext, target: ApplyTarget, events: readonly RecordedEvent[]) =>
  inTransaction(context.pool, async (client) => {
    const last = events.at(-1)!.position;
    await client.query(`SET LOCAL search_path = ${generationSearchPath(target.schemaName, context.schema)}`);
    const updates = await context.projection.apply(client, events.map(upcastEvent));
    const moved = await moveCheckpoint(client, context, target, events.length, last);
    if (!moved) throw new LeadershipLostError(context.projection.name);
    return { position: last, applied: events.length, updates, poison: null };
  });

const moveCheckpoint = async (
  client: pg.ClientBase,
  context: RunnerContext,
  target: ApplyTarget,
  count: number,
  last: number,
) => {
  const table = `${quoteIdentifier(context.schema)}.projection_status`;
  const fence = [context.projection.name, context.leaderId, target.generation, target.position, last];
  if (target.kind === 'live') {
    const { rowCount } = await client.query(
      `UPDATE ${table} SET position = $5, updated_at = now()
       WHERE name = $1 AND leader = $2 AND generation = $3 AND position = $4`,
      fence,
    );
    return rowCount === 1;
  }
  const progress = target.progress ?? { done: 0, head: last, rate: () => 0 };
  const done = progress.done + count;
  const { rowCount } = await client.query(
    `UPDATE ${table} SET rebuild_position = $5, rebuild_done = $6, rebuild_total = $7, rebuild_rate = $8,
       updated_at = now()
     WHERE name = $1 AND leader = $2 AND rebuild_generation = $3 AND rebuild_position = $4`,
    [...fence, done, estimateTotal(done, last, progress.head), progress.rate(done)],
  );
  return rowCount === 1;
};

/**
 * How many events a rebuild will have applied at `head`. Positions are only ordered, not
 * counts (EventStoreDB's are byte offsets), so the rest is estimated from the events per
 * position unit seen so far; on PostgreSQL, where positions are 1, 2, 3..., that is exact.
 */
export const estimateTotal = (done: number, position: number, head: number) =>
  position <= 0 ? head : Math.round(done + Math.max(0, head - position) * (done / position));
