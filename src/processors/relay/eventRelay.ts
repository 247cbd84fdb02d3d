import pg from 'pg';
import type { EventStore, RecordedEvent } from '../../infra/eventstore/eventStore.js';
import type { Log } from '../../infra/log/log.js';
import { relayedEvents, relayLag } from '../../infra/metrics/metrics.js';
import { interruptibleSleep } from '../../infra/timing/interruptibleSleep.js';
import type { Logger } from '../../logger.js';
import { leaderLock } from '../../projections/runner/leaderLock.js';
import { redactUserSecrets } from './redactUserSecrets.js';
import { readRelayCheckpoint, saveRelayCheckpoint } from './relayCheckpoint.js';
import { EVENTS_TOPIC, encodeRelayedEvent } from './relayedEvent.js';

export interface EventRelayOptions {
  pool: pg.Pool;
  /** The main schema, the one the pool's search_path starts with (relayMigrations applied). */
  schema: string;
  eventStore: EventStore;
  log: Log;
  logger: Logger;
  /** Where to publish; also names the checkpoint and the lock. Tests give each file its own. */
  topic?: string;
  /** Most events per produce call and checkpoint write (default 500). */
  batchSize?: number;
  /** How often a standby tries the lock, and how long a failed leader waits before trying again (default 1 s). */
  standbyRetryMs?: number;
  /** How often the leader proves its lock and reads the head for the lag gauge (default 1 s). */
  tickMs?: number;
  /** Opens the lock's own connection; by default a client with the pool's settings. */
  connectLock?: () => pg.Client;
}

export interface EventRelay {
  /** The last position this relay committed, or found in the checkpoint when it last took over. */
  relayedPosition(): number;
  /** True while this relay holds the lock and publishes. */
  isLeader(): boolean;
  /** Finishes the batch in hand (produced and checkpointed) and hands the lock on. */
  stop(): Promise<void>;
}

/**
 * Publishes every event of the store to `tributary.events`, at least once, in global order.
 *
 * One relay publishes at a time across processes: the holder of a PostgreSQL advisory lock (the
 * projection runner's `leaderLock`, keyed `relay:<topic>`); the others stand by and try again
 * every `standbyRetryMs`, so one takes over soon after the leader's session ends, however it ends.
 *
 * The leader follows the global log from its checkpoint in batches. A batch is produced, the log
 * acknowledges it, and only then the checkpoint moves to its last position: a crash in between
 * publishes that one batch again. So does a leader that lost its lock without noticing yet (its
 * lock is checked before each batch, not fenced): duplicates, never gaps, and consumers skip them
 * by the rule of `createEventDeduplicator`. A batch that fails (the log refuses it, an event does
 * not encode, the checkpoint cannot be written) ends the leadership: the relay hands the lock on
 * and tries again from the checkpoint after `standbyRetryMs`. (Kafka's adapter waits out a broker
 * outage inside `produce`, so an outage holds the batch rather than failing it.)
 *
 * `relayLag` is set by the leader to head position − relayed position (0 when caught up) on each
 * batch and tick. A relay that failed keeps its last value while it retries (an alert on lag must
 * not see a stuck relay as caught up); it reports 0 once it finds another relay leading, or stops,
 * so summing the gauge over processes gives the leader's lag. On PostgreSQL that is a count of
 * events; on EventStoreDB positions are byte offsets, so it is a distance, 0 only when caught up.
 */
export const startEventRelay = async (options: EventRelayOptions): Promise<EventRelay> => {
  const { pool, eventStore, log, logger } = options;
  const topic = options.topic ?? EVENTS_TOPIC;
  const batchSize = options.batchSize ?? 500;
  const standbyRetryMs = options.standbyRetryMs ?? 1_000;
  const tickMs = options.tickMs ?? 1_000;
  let relayed = 0;
  let leading = false;
  let stopped = false;
  let endLeadership: ((reason?: unknown) => void) | null = null;
  const idle = interruptibleSleep();

  const lock = leaderLock({
    connect:
      options.connectLock ??
      (() => new pg.Client({ ...pool.options, application_name: 'tributary-relay-lock', keepAlive: true })),
    schema: options.schema,
    projection: `relay:${topic}`,
    onLost: () => endLeadership?.(new Error(`the lock of relay ${topic} was lost with its connection`)),
  });

  /** Publishes from the checkpoint until leadership ends; throws why, unless it was a stop. */
  const lead = async () => {
    relayed = await readRelayCheckpoint(pool, topic);
    await log.ensureTopic(topic);
    let head = await eventStore.headPosition();
    const reportLag = () => relayLag.set(Math.max(0, head - relayed));
    reportLag();

    let active = true;
    let finish!: (reason?: unknown) => void;
    const ended = new Promise<unknown>((resolve) => {
      finish = (reason) => {
        active = false;
        resolve(reason);
      };
    });
    endLeadership = finish;
    if (stopped) finish();
    leading = true;
    logger.info({ topic, position: relayed, head }, 'event relay leading');

    const publish = async (events: RecordedEvent[]) => {
      const last = events.at(-1);
      if (!active || last === undefined) return;
      await lock.heartbeat();
      await log.produce(
        topic,
        events.map((event) => encodeRelayedEvent(redactUserSecrets(event))),
      );
      await saveRelayCheckpoint(pool, topic, last.position);
      relayed = last.position;
      relayedEvents.inc(events.length);
      head = Math.max(head, relayed);
      reportLag();
    };
    const subscription = eventStore.subscribeToAll({
      after: relayed,
      batchSize,
      onEvents: publish,
      onError: finish,
    });

    let ticking = false;
    const timer = setInterval(() => {
      if (ticking || !active) return;
      ticking = true;
      void (async () => {
        await lock.heartbeat();
        head = Math.max(head, await eventStore.headPosition());
        reportLag();
      })()
        .catch(finish)
        .finally(() => {
          ticking = false;
        });
    }, tickMs);

    const reason = await ended;
    clearInterval(timer);
    leading = false;
    endLeadership = null;
    // Waits for the batch in hand: it is produced and checkpointed, or failed, before the lock goes.
    await subscription.stop();
    if (reason !== undefined) throw reason;
  };

  const loop = async () => {
    while (!stopped) {
      let acquired = false;
      try {
        acquired = await lock.tryAcquire();
      } catch (error) {
        logger.warn({ err: error, topic }, 'event relay lock unreachable; retrying');
      }
      // Another relay leads and reports the lag; this one's stale value would add to it.
      if (!acquired) relayLag.set(0);
      if (acquired && !stopped) {
        try {
          await lead();
        } catch (error) {
          logger.warn({ err: error, topic, position: relayed }, 'event relay interrupted; standing by');
        }
        leading = false;
        // Hand the lock back (a stop or a failure) or find it gone (lost): a fresh session next time.
        await lock.close();
      }
      if (!stopped) await idle.sleep(standbyRetryMs);
    }
  };
  const running = loop();

  return {
    relayedPosition: () => relayed,
    isLeader: () => leading,
    async stop() {
      stopped = true;
      idle.wake();
      endLeadership?.();
      await running;
      await lock.close();
      relayLag.set(0);
    },
  };
};
