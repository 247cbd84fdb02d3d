import { randomUUID } from 'node:crypto';
import type { EventMetadata } from '../infra/eventstore/eventStore.js';
import type { Log } from '../infra/log/log.js';
import type { Logger } from '../logger.js';
import { decodeRelayedEvent, EVENTS_TOPIC } from './relay/relayedEvent.js';

/** One event of the event store as processors see it on `tributary.events`. */
export interface PlatformEvent {
  id: string;
  streamId: string;
  revision: number;
  position: number;
  type: string;
  data: unknown;
  /** As the event was recorded: who acted, and the correlation id of the request behind it. */
  metadata?: EventMetadata;
}

export interface PlatformEventFeedOptions {
  log: Log;
  logger: Logger;
  /** The relay's topic: `tributary.events` by default (tests use their own). */
  topic?: string;
  /** Only events of streams with these prefixes are delivered. */
  streamPrefixes: readonly string[];
  /**
   * Every event from the first, in batches, in order within a stream, each once. `caughtUp`
   * turns true with the batch that reaches what the topic held when following began, and
   * stays true; the first call may be an empty batch that says only that.
   */
  onEvents(events: PlatformEvent[], caughtUp: boolean): Promise<void>;
}

/**
 * Follows the events the relay publishes. Each follower is a consumer group of its own that
 * reads from the beginning, so every process sees every event and folds the same state.
 * Delivery on the topic is at least once; an event of a stream at or before the revision
 * already seen of that stream is a repeat and is skipped (a stream's events share a partition,
 * in order).
 */
export const followPlatformEvents = async (options: PlatformEventFeedOptions) => {
  const { log } = options;
  const topic = options.topic ?? EVENTS_TOPIC;
  await log.ensureTopic(topic);
  const seen = new Map<string, number>();
  const end = await log.endOffsets(topic);
  const behind = new Set([...end].filter(([, next]) => next > 0).map(([partition]) => partition));
  let caughtUp = behind.size === 0;
  if (caughtUp) await options.onEvents([], true);

  const consumer = await log.consume({
    // A new group each time: the group only spreads partitions, and each follower needs them all.
    groupId: `tributary.follower.${randomUUID()}`,
    topics: [topic],
    fromBeginning: true,
    eachBatch: async ({ partition, records }) => {
      const events: PlatformEvent[] = [];
      for (const record of records) {
        let event: PlatformEvent;
        try {
          const relayed = decodeRelayedEvent(record);
          event = { ...relayed, revision: relayed.streamRevision, position: relayed.globalPosition };
        } catch (error) {
          // Not ours to fix here, and no reason to stop following: say so and go on.
          options.logger.error({ err: error, offset: record.offset, partition }, 'unreadable event skipped');
          continue;
        }
        if (!options.streamPrefixes.some((prefix) => event.streamId.startsWith(prefix))) continue;
        if ((seen.get(event.streamId) ?? -1) >= event.revision) continue;
        seen.set(event.streamId, event.revision);
        events.push(event);
      }
      const last = records.at(-1);
      if (last && last.offset + 1 >= (end.get(partition) ?? 0)) behind.delete(partition);
      const nowCaughtUp = !caughtUp && behind.size === 0;
      caughtUp ||= nowCaughtUp;
      if (events.length > 0 || nowCaughtUp) await options.onEvents(events, caughtUp);
    },
  });
  return { stop: () => consumer.stop() };
};
