import type { AggregateStep } from '../../domain/pipelines/pipelineDefinition.js';
import type { JsonRecord } from '../transform/jsonRecord.js';
import type { AggregateRecordReader } from './aggregateRecordReader.js';
import { CloseQueue } from './closeQueue.js';
import type { AddOutcome, PartitionAggregator, StateChange, WindowResult } from './partitionAggregator.js';
import {
  deserializeWindow,
  kafkaKeyOf,
  serializeWindow,
  type WindowEntry,
  windowId,
  windowRecord,
} from './windowEntry.js';

/** The changelog key of the partition's watermark and next offset. */
export const META_STATE_KEY = 'meta';

interface StoredMeta {
  /** null for -Infinity, which JSON cannot hold. */
  watermark: number | null;
  nextOffset: number;
}

/** What a partition's windows share: the step, its compiled reader and the output field names. */
export interface WindowsPlan {
  step: AggregateStep;
  reader: AggregateRecordReader;
  names: readonly string[];
}

const floorTo = (time: number, unit: number) => time - (((time % unit) + unit) % unit);

/**
 * The windows of one partition (see PartitionAggregator for the semantics). Tumbling windows
 * are hopping windows whose advance is their size. Windows live in one Map by id; sessions
 * also in a list per key (by start), to find the ones a record touches.
 */
export class PartitionWindows implements PartitionAggregator {
  readonly partition: number;
  private readonly plan: WindowsPlan;
  private readonly lateness: number;
  private readonly onUpdate: boolean;
  private readonly windows = new Map<string, WindowEntry>();
  private readonly sessions = new Map<string, WindowEntry[]>();
  private readonly closeQueue = new CloseQueue();
  // Changes since the last drains: windows to serialize or delete, windows to send again.
  private readonly dirty = new Set<WindowEntry>();
  private readonly deleted = new Set<string>();
  private readonly changed = new Set<WindowEntry>();
  private readonly retracts = new Map<string, { key: string; end: number }>();
  private metaDirty = false;
  private readonly values: unknown[];
  private currentWatermark = Number.NEGATIVE_INFINITY;
  private currentNextOffset = -1;

  constructor(partition: number, plan: WindowsPlan) {
    this.partition = partition;
    this.plan = plan;
    this.lateness = plan.step.allowedLatenessMs ?? 0;
    this.onUpdate = plan.step.emit === 'onUpdate';
    this.values = new Array(plan.names.length);
  }

  get watermark(): number {
    return this.currentWatermark;
  }

  get nextOffset(): number {
    return this.currentNextOffset;
  }

  get openWindows(): number {
    return this.windows.size;
  }

  skip(offset: number): void {
    if (offset + 1 !== this.currentNextOffset) {
      this.currentNextOffset = offset + 1;
      this.metaDirty = true;
    }
  }

  add(record: JsonRecord, context: { partition: number; timestamp: number; offset: number }): AddOutcome {
    // Whatever becomes of the record (applied, late, failed), the caller has dealt with it.
    this.skip(context.offset);
    const { reader } = this.plan;
    const time = reader.eventTime(record, context.timestamp);
    const key = reader.key(record);
    reader.measureValues(record, this.values);
    const window = this.plan.step.window;
    const outcome =
      window.type === 'session'
        ? this.addToSession(key, time, window.gapMs, context.offset)
        : this.addToFixed(
            key,
            time,
            window.sizeMs,
            window.type === 'hopping' ? window.advanceMs : window.sizeMs,
            context.offset,
          );
    if (outcome.accepted && time > this.currentWatermark) {
      this.currentWatermark = time;
      this.metaDirty = true;
    }
    return outcome;
  }

  private late(time: number): AddOutcome {
    const latenessMs = this.currentWatermark - time;
    return {
      accepted: false,
      latenessMs,
      reason: `late: ${latenessMs} ms behind the watermark, allowed lateness ${this.lateness} ms`,
    };
  }

  private addToFixed(key: string, time: number, size: number, advance: number, offset: number): AddOutcome {
    const closedUntil = this.currentWatermark - this.lateness;
    const lastStart = floorTo(time, advance);
    if (lastStart + size <= closedUntil) return this.late(time);
    // Oldest first; a window whose end the watermark passed is closed and left alone.
    for (let start = lastStart - size + advance; start <= lastStart; start += advance) {
      if (start + size <= closedUntil) continue;
      const id = windowId(start, key);
      let entry = this.windows.get(id);
      if (entry === undefined) {
        entry = this.open(id, key, start, start + size);
        this.closeQueue.push(entry);
      }
      this.apply(entry, time, offset);
    }
    return { accepted: true };
  }

  private addToSession(key: string, time: number, gap: number, offset: number): AddOutcome {
    if (time + this.lateness < this.currentWatermark) return this.late(time);
    let list = this.sessions.get(key);
    if (list === undefined) {
      list = [];
      this.sessions.set(key, list);
    }
    // Sessions of a key never overlap, so those the record's [time, time + gap) touches are
    // consecutive in the list; the first of them absorbs the others.
    let first = -1;
    let last = -1;
    for (let index = 0; index < list.length; index += 1) {
      const session = list[index]!;
      if (session.start < time + gap && time < session.end) {
        if (first === -1) first = index;
        last = index;
      }
    }
    let entry: WindowEntry;
    let queuedEnd = Number.NaN;
    if (first === -1) {
      entry = this.open(windowId(time, key), key, time, time + gap);
      let at = 0;
      while (at < list.length && list[at]!.start < time) at += 1;
      list.splice(at, 0, entry);
    } else {
      entry = list[first]!;
      queuedEnd = entry.end;
      for (let index = first + 1; index <= last; index += 1) this.absorb(entry, list[index]!);
      list.splice(first + 1, last - first);
      if (time < entry.start) this.rekey(entry, time);
      if (time + gap > entry.end) entry.end = time + gap;
    }
    this.apply(entry, time, offset);
    // Queued again only when its end moved: the queue holds one live entry per session.
    if (entry.end !== queuedEnd) this.closeQueue.push(entry);
    return { accepted: true };
  }

  private open(id: string, key: string, start: number, end: number): WindowEntry {
    const { accumulators } = this.plan.reader;
    const entry: WindowEntry = {
      id,
      key,
      start,
      end,
      states: accumulators.map((a) => a.initial()),
      open: true,
    };
    this.windows.set(id, entry);
    this.deleted.delete(id);
    this.retracts.delete(kafkaKeyOf(key, start));
    return entry;
  }

  private apply(entry: WindowEntry, time: number, offset: number): void {
    const { accumulators } = this.plan.reader;
    const { states } = entry;
    const { values } = this;
    for (let index = 0; index < states.length; index += 1) {
      states[index] = accumulators[index]!.add(states[index], values[index], time, offset);
    }
    this.dirty.add(entry);
    if (this.onUpdate) this.changed.add(entry);
  }

  /** Merges session `from` into `into`, which comes before it; `from` is gone under its id. */
  private absorb(into: WindowEntry, from: WindowEntry): void {
    const { accumulators } = this.plan.reader;
    for (let index = 0; index < into.states.length; index += 1) {
      into.states[index] = accumulators[index]!.merge(into.states[index], from.states[index]);
    }
    if (from.end > into.end) into.end = from.end;
    this.remove(from);
  }

  private rekey(entry: WindowEntry, start: number): void {
    const { id, key } = entry;
    this.windows.delete(id);
    this.forget(entry);
    entry.start = start;
    entry.id = windowId(start, key);
    this.windows.set(entry.id, entry);
    this.deleted.delete(entry.id);
  }

  private remove(entry: WindowEntry): void {
    entry.open = false;
    this.windows.delete(entry.id);
    this.dirty.delete(entry);
    this.changed.delete(entry);
    this.forget(entry);
  }

  // The window's old id leaves the changelog; in onUpdate mode its old output key is retracted.
  private forget(entry: WindowEntry): void {
    this.deleted.add(entry.id);
    if (this.onUpdate)
      this.retracts.set(kafkaKeyOf(entry.key, entry.start), { key: entry.key, end: entry.end });
  }

  drainResults(): WindowResult[] {
    const { names, reader } = this.plan;
    const closed: WindowEntry[] = [];
    this.closeQueue.takeUntil(this.currentWatermark - this.lateness, closed);
    const ordered: { end: number; key: string; result: WindowResult }[] = [];
    for (const entry of closed) {
      const kafkaKey = kafkaKeyOf(entry.key, entry.start);
      ordered.push({
        end: entry.end,
        key: entry.key,
        result: { kafkaKey, record: windowRecord(entry, names, reader.accumulators), final: true },
      });
      entry.open = false;
      this.windows.delete(entry.id);
      this.dirty.delete(entry);
      this.changed.delete(entry);
      this.deleted.add(entry.id);
      this.retracts.delete(kafkaKey);
      if (this.plan.step.window.type === 'session') this.dropSession(entry);
    }
    for (const entry of this.changed) {
      ordered.push({
        end: entry.end,
        key: entry.key,
        result: {
          kafkaKey: kafkaKeyOf(entry.key, entry.start),
          record: windowRecord(entry, names, reader.accumulators),
          final: false,
        },
      });
      this.retracts.delete(kafkaKeyOf(entry.key, entry.start));
    }
    for (const [kafkaKey, { key, end }] of this.retracts) {
      ordered.push({ end, key, result: { kafkaKey, record: null, final: false } });
    }
    this.changed.clear();
    this.retracts.clear();
    // Retracts before results of the same end and key, so a reader applying them in order ends
    // with the live window.
    ordered.sort(
      (a, b) =>
        a.end - b.end ||
        (a.key < b.key ? -1 : a.key > b.key ? 1 : 0) ||
        (a.result.record === null ? 0 : 1) - (b.result.record === null ? 0 : 1),
    );
    return ordered.map((item) => item.result);
  }

  private dropSession(entry: WindowEntry): void {
    const list = this.sessions.get(entry.key);
    if (list === undefined) return;
    const index = list.indexOf(entry);
    if (index !== -1) list.splice(index, 1);
    if (list.length === 0) this.sessions.delete(entry.key);
  }

  drainChanges(): StateChange[] {
    const changes: StateChange[] = [];
    for (const id of this.deleted) changes.push({ key: id, value: null });
    for (const entry of this.dirty) {
      changes.push({ key: entry.id, value: serializeWindow(entry, this.plan.reader.accumulators) });
    }
    if (this.metaDirty) {
      const meta: StoredMeta = {
        watermark: Number.isFinite(this.currentWatermark) ? this.currentWatermark : null,
        nextOffset: this.currentNextOffset,
      };
      changes.push({ key: META_STATE_KEY, value: Buffer.from(JSON.stringify(meta)) });
    }
    this.deleted.clear();
    this.dirty.clear();
    this.metaDirty = false;
    return changes;
  }

  /** Loads the state a compacted changelog holds (one value per key, deletes already gone). */
  load(entries: Iterable<[string, Buffer]>): void {
    const { accumulators } = this.plan.reader;
    const session = this.plan.step.window.type === 'session';
    for (const [key, value] of entries) {
      if (key === META_STATE_KEY) {
        const meta = JSON.parse(value.toString('utf8')) as StoredMeta;
        this.currentWatermark = meta.watermark ?? Number.NEGATIVE_INFINITY;
        this.currentNextOffset = meta.nextOffset;
        continue;
      }
      const entry = deserializeWindow(key, value, accumulators);
      this.windows.set(entry.id, entry);
      this.closeQueue.push(entry);
      if (session) {
        const list = this.sessions.get(entry.key) ?? [];
        list.push(entry);
        this.sessions.set(entry.key, list);
      }
    }
    for (const list of this.sessions.values()) list.sort((a, b) => a.start - b.start);
  }
}
