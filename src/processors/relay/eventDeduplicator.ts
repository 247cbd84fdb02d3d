import type { RelayedEvent } from './relayedEvent.js';

export interface EventDeduplicator {
  /**
   * True the first time an event is seen; false for a duplicate, which the consumer skips.
   * The rule: an event whose globalPosition is at or below the last one seen of its stream was
   * seen before. It holds because the relay keys records by stream, so a stream's events sit on
   * one partition in the order they were produced, and the relay produces each stream in
   * position order; a batch it produces again (a crash before its checkpoint, a leader that lost
   * its lock mid-batch) only ever repeats positions already delivered.
   */
  isNew(event: Pick<RelayedEvent, 'streamId' | 'globalPosition'>): boolean;
  /** Forgets the streams, e.g. when this consumer's partitions were reassigned. */
  clear(): void;
}

/**
 * The dedupe rule of `tributary.events` consumers, remembered in memory: one number per stream
 * seen. A consumer whose effects must survive its own restart keeps the last position per stream
 * with those effects (in the same transaction) and applies the same rule to it.
 */
export const createEventDeduplicator = (): EventDeduplicator => {
  const lastSeen = new Map<string, number>();
  return {
    isNew({ streamId, globalPosition }) {
      const last = lastSeen.get(streamId);
      if (last !== undefined && globalPosition <= last) return false;
      lastSeen.set(streamId, globalPosition);
      return true;
    },
    clear() {
      lastSeen.clear();
    },
  };
};
