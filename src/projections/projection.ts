import type pg from 'pg';
import type { RecordedEvent } from '../infra/eventstore/eventStore.js';
import type { Migration } from '../infra/postgres/migrate.js';

/** A message for live views, published only after the rows it describes have committed. */
export interface LiveUpdate {
  topic: string;
  payload: unknown;
}

/**
 * A read model built from the global log. `apply` runs inside the transaction that also moves
 * the projection's checkpoint, so a crash neither loses nor doubles an effect. It must still
 * be idempotent per event (guard on the position), because a rebuild or a takeover may hand it
 * events it has already seen. Events arrive upcast to their current shape: the runner does
 * that, once, for every projection.
 */
export interface Projection {
  name: string;
  /**
   * The tables this projection writes, created by `migrations`. Migrations and `apply` use
   * them unqualified: the runner decides which schema they live in (a rebuild fills a fresh
   * copy while queries keep reading the current one through views of the same names).
   */
  tables: readonly string[];
  migrations: readonly Migration[];
  apply(client: pg.ClientBase, events: readonly RecordedEvent[]): Promise<LiveUpdate[]>;
}
