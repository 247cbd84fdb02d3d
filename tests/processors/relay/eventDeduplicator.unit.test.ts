import { describe, expect, it } from 'vitest';
import { createEventDeduplicator } from '../../../src/processors/relay/eventDeduplicator.js';

const at = (streamId: string, globalPosition: number) => ({ streamId, globalPosition });

describe('createEventDeduplicator', () => {
  it('passes each event of a stream once, and skips a batch the relay produced again', () => {
    // Given the events of two streams, then the relay repeating a batch after a crash
    const deliveries = [at('a', 1), at('b', 2), at('a', 3), at('b', 4), at('a', 3), at('b', 4), at('a', 5)];
    const dedupe = createEventDeduplicator();

    // When each is offered to the deduplicator
    const passed = deliveries.filter((event) => dedupe.isNew(event));

    // Then only the first delivery of each position passes
    expect(passed).toEqual([at('a', 1), at('b', 2), at('a', 3), at('b', 4), at('a', 5)]);
  });

  it('judges streams apart: a lower position of another stream is new', () => {
    const dedupe = createEventDeduplicator();
    expect(dedupe.isNew(at('a', 10))).toBe(true);
    expect(dedupe.isNew(at('b', 2))).toBe(true);
    expect(dedupe.isNew(at('a', 2))).toBe(false);
  });

  it('forgets every stream on clear', () => {
    const dedupe = createEventDeduplicator();
    dedupe.isNew(at('a', 10));
    dedupe.clear();
    expect(dedupe.isNew(at('a', 10))).toBe(true);
  });
});
