import type { WindowEntry } from './windowEntry.js';

/**
 * Open windows by the end they had when queued, earliest first (a binary min-heap), so closing
 * the windows the watermark passed costs their number, not a scan of every open window. A
 * session that grows is queued again with its new end; the entry left behind is stale (its
 * window's end or openness differs) and is skipped when it comes out.
 */
export class CloseQueue {
  private readonly ends: number[] = [];
  private readonly entries: WindowEntry[] = [];

  get size(): number {
    return this.ends.length;
  }

  push(entry: WindowEntry): void {
    const { ends, entries } = this;
    let index = ends.length;
    ends.push(entry.end);
    entries.push(entry);
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (ends[parent]! <= entry.end) break;
      ends[index] = ends[parent]!;
      entries[index] = entries[parent]!;
      index = parent;
    }
    ends[index] = entry.end;
    entries[index] = entry;
  }

  /**
   * Takes out every open window whose current end is at most `limit`, in no set order; stale
   * queue entries on the way are dropped.
   */
  takeUntil(limit: number, into: WindowEntry[]): void {
    while (this.ends.length > 0 && this.ends[0]! <= limit) {
      const end = this.ends[0]!;
      const entry = this.pop();
      if (entry.open && entry.end === end) into.push(entry);
    }
  }

  private pop(): WindowEntry {
    const { ends, entries } = this;
    const top = entries[0]!;
    const lastEnd = ends.pop()!;
    const lastEntry = entries.pop()!;
    const count = ends.length;
    if (count === 0) return top;
    let index = 0;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= count) break;
      const right = left + 1;
      const child = right < count && ends[right]! < ends[left]! ? right : left;
      if (ends[child]! >= lastEnd) break;
      ends[index] = ends[child]!;
      entries[index] = entries[child]!;
      index = child;
    }
    ends[index] = lastEnd;
    entries[index] = lastEntry;
    return top;
  }
}
