import type pg from 'pg';
import type { EventStore } from '../../infra/eventstore/eventStore.js';
import type { Logger } from '../../logger.js';
import type { Projection } from '../projection.js';

/** What every part of one projection's runner shares. */
export interface RunnerContext {
  pool: pg.Pool;
  /** The main schema. The runner qualifies its own tables with it: `apply` changes search_path. */
  schema: string;
  eventStore: EventStore;
  projection: Projection;
  /** Who leads, as written in `projection_status.leader`: the fencing token of every write. */
  leaderId: string;
  batchSize: number;
  logger: Logger;
}

/**
 * This runner's writes were refused because another runner has taken the projection over (its
 * leader id is in the row now). Not a failure of the projection: this runner steps down.
 */
export class LeadershipLostError extends Error {
  constructor(projection: string) {
    super(`Projection ${projection}: another runner has taken over`);
    this.name = 'LeadershipLostError';
  }
}

/**
 * Errors of the connection rather than of the projection: retried later, never recorded as the
 * projection's failure (SQLSTATE classes 08 connection, 57P operator intervention, 53300 too
 * many connections; node-postgres reports a dropped socket without a code).
 */
export const isConnectionError = (error: unknown): boolean => {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && (code.startsWith('08') || code.startsWith('57P') || code === '53300'))
    return true;
  const message = error instanceof Error ? error.message : '';
  return /Connection terminated|ECONNRESET|ECONNREFUSED|EPIPE|timeout exceeded when trying to connect/i.test(
    message,
  );
};

export const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** `apply` threw on this event, alone in its transaction: the projection stops just before it. */
export class PoisonEventError extends Error {
  constructor(
    readonly event: { position: number; type: string; streamId: string },
    cause: unknown,
  ) {
    super(`${messageOf(cause)} (applying ${event.type} of ${event.streamId} at position ${event.position})`, {
      cause,
    });
    this.name = 'PoisonEventError';
  }
}
