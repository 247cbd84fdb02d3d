import type { JsonRecord } from '../transform/jsonRecord.js';
import type { MeasureAccumulator } from './measureAccumulator.js';

/**
 * One open window of one key: [start, end) and its measures' states. `id` is its state key
 * (`<start>|<key>`, unique per partition); `kafkaKey` is `<key>@<windowStart ISO>`. A session's
 * end moves as records extend it, and its start as they precede it (then its id changes).
 */
export interface WindowEntry {
  id: string;
  key: string;
  start: number;
  end: number;
  states: unknown[];
  /** False once closed or merged away: queue entries that still point to it are stale. */
  open: boolean;
}

export const windowId = (start: number, key: string): string => `${start}|${key}`;

export const kafkaKeyOf = (key: string, start: number): string => `${key}@${new Date(start).toISOString()}`;

/** The window's output record: key, windowStart, windowEnd, then each measure by name. */
export const windowRecord = (
  entry: WindowEntry,
  names: readonly string[],
  accumulators: readonly MeasureAccumulator[],
): JsonRecord => {
  const record: JsonRecord = {
    key: entry.key,
    windowStart: new Date(entry.start).toISOString(),
    windowEnd: new Date(entry.end).toISOString(),
  };
  for (let index = 0; index < names.length; index += 1) {
    record[names[index]!] = accumulators[index]!.result(entry.states[index]);
  }
  return record;
};

interface StoredWindow {
  k: string;
  s: number;
  e: number;
  m: unknown[];
}

/** The changelog value of a window: JSON, with its key and bounds so the id need not be parsed. */
export const serializeWindow = (entry: WindowEntry, accumulators: readonly MeasureAccumulator[]): Buffer => {
  const stored: StoredWindow = {
    k: entry.key,
    s: entry.start,
    e: entry.end,
    m: entry.states.map((state, index) => accumulators[index]!.toJson(state)),
  };
  return Buffer.from(JSON.stringify(stored));
};

/** The window stored under changelog key `id` (its id, as `serializeWindow`'s caller keyed it). */
export const deserializeWindow = (
  id: string,
  value: Buffer,
  accumulators: readonly MeasureAccumulator[],
): WindowEntry => {
  const stored = JSON.parse(value.toString('utf8')) as StoredWindow;
  if (!Array.isArray(stored.m) || stored.m.length !== accumulators.length) {
    throw new Error(
      `a stored window of key "${stored.k}" holds ${stored.m?.length} measures, the step has ${accumulators.length}`,
    );
  }
  return {
    id,
    key: stored.k,
    start: stored.s,
    end: stored.e,
    states: stored.m.map((json, index) => accumulators[index]!.fromJson(json)),
    open: true,
  };
};
