/**
 * The keys one partition has seen, each with the record time it was first seen at.
 *
 * Memory is bounded two ways: a key older than the window (by the newest record time seen,
 * so one late record does not hold keys back) is evicted, and past `maxKeys` the oldest key
 * is evicted even inside its window, so a flood of distinct keys cannot exhaust the heap;
 * a duplicate of an evicted key then passes. A Map keeps insertion order, which is time
 * order for in-order records, so eviction looks only at the oldest entries.
 */
export class DedupeWindow {
  private readonly seen = new Map<string, number>();
  private newest = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly withinMs: number,
    private readonly maxKeys: number,
  ) {}

  /**
   * True when `key` was first seen within `withinMs` of `time` (either side: records can be
   * out of order). A duplicate does not restart the window, or a steady stream of duplicates
   * would never let the key through again.
   */
  isDuplicate(key: string, time: number): boolean {
    const firstSeen = this.seen.get(key);
    if (firstSeen !== undefined) {
      if (Math.abs(time - firstSeen) <= this.withinMs) return true;
      this.seen.delete(key);
    }
    this.seen.set(key, time);
    if (time > this.newest) this.newest = time;
    this.evict();
    return false;
  }

  get size(): number {
    return this.seen.size;
  }

  private evict(): void {
    const horizon = this.newest - this.withinMs;
    for (const [key, firstSeen] of this.seen) {
      if (this.seen.size <= this.maxKeys && firstSeen >= horizon) return;
      this.seen.delete(key);
    }
  }
}
