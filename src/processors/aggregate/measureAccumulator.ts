import type { MeasureFunction } from '../../domain/pipelines/pipelineDefinition.js';

/**
 * One measure's running state in one window: how a value is added, how two sessions' states
 * merge, the result it shows, and its form in the changelog (JSON). States are plain values
 * or small arrays, changed in place where they are arrays, so a record allocates nothing for
 * measures that only count or add.
 *
 * A value reaches `add` already read from the record (see measureValue.ts): a number, string,
 * boolean, null or JSON value; `add` throws an Error saying why for a value of a type its
 * function cannot take (the engine turns it into a StepFailure before any state changes).
 */
export interface MeasureAccumulator {
  initial(): unknown;
  /** Throws before changing anything when `value` is of a type the function cannot take. */
  check(value: unknown): void;
  add(state: unknown, value: unknown, time: number, offset: number): unknown;
  merge(into: unknown, from: unknown): unknown;
  result(state: unknown): unknown;
  toJson(state: unknown): unknown;
  fromJson(json: unknown): unknown;
}

const identity = (state: unknown) => state;

const checkNumber = (value: unknown): void => {
  if (value !== null && typeof value !== 'number') {
    throw new Error(`${JSON.stringify(value)?.slice(0, 60)} is not a number`);
  }
};

const checkOrdered = (value: unknown): void => {
  if (value !== null && typeof value !== 'number' && typeof value !== 'string') {
    throw new Error(`${JSON.stringify(value)?.slice(0, 60)} is neither a number nor a string`);
  }
};

// Numbers before strings, numbers by value, strings by UTF-16 code units (ISO-8601 times of
// one format order as times): a total order, so min and max never depend on arrival.
const compareOrdered = (a: number | string, b: number | string): number => {
  if (typeof a === 'number') return typeof b === 'number' ? a - b : -1;
  if (typeof b === 'number') return 1;
  return a < b ? -1 : a > b ? 1 : 0;
};

const extreme = (sign: 1 | -1): MeasureAccumulator => {
  const pick = (state: unknown, value: unknown) =>
    value === null
      ? state
      : state === null || sign * compareOrdered(value as number | string, state as number | string) < 0
        ? value
        : state;
  return {
    initial: () => null,
    check: checkOrdered,
    add: pick,
    merge: pick,
    result: identity,
    toJson: identity,
    fromJson: identity,
  };
};

const count: MeasureAccumulator = {
  initial: () => 0,
  check: () => {},
  add: (state, value) => (value === null ? state : (state as number) + 1),
  merge: (into, from) => (into as number) + (from as number),
  result: identity,
  toJson: identity,
  fromJson: identity,
};

const sum: MeasureAccumulator = {
  initial: () => 0,
  check: checkNumber,
  add: (state, value) => (value === null ? state : (state as number) + (value as number)),
  merge: (into, from) => (into as number) + (from as number),
  result: identity,
  toJson: identity,
  fromJson: identity,
};

// [sum, how many numbers]
type AvgState = [number, number];
const avg: MeasureAccumulator = {
  initial: (): AvgState => [0, 0],
  check: checkNumber,
  add: (state, value) => {
    if (value === null) return state;
    const pair = state as AvgState;
    pair[0] += value as number;
    pair[1] += 1;
    return pair;
  },
  merge: (into, from) => {
    const pair = into as AvgState;
    pair[0] += (from as AvgState)[0];
    pair[1] += (from as AvgState)[1];
    return pair;
  },
  result: (state) => ((state as AvgState)[1] === 0 ? null : (state as AvgState)[0] / (state as AvgState)[1]),
  toJson: identity,
  fromJson: (json) => [...(json as AvgState)],
};

// Exact: every distinct value's JSON text, so "1" and 1 differ. A window's memory grows with
// its distinct values; an approximate sketch would bound it at the price of exactness.
const distinctCount: MeasureAccumulator = {
  initial: () => new Set<string>(),
  check: () => {},
  add: (state, value) => {
    if (value !== null) (state as Set<string>).add(JSON.stringify(value));
    return state;
  },
  merge: (into, from) => {
    for (const text of from as Set<string>) (into as Set<string>).add(text);
    return into;
  },
  result: (state) => (state as Set<string>).size,
  toJson: (state) => [...(state as Set<string>)],
  fromJson: (json) => new Set(json as string[]),
};

// [value, event time, source offset]; null before any record. Offsets order records of one
// partition by arrival, which breaks ties of event time.
type Pick = [unknown, number, number];
const isBefore = (time: number, offset: number, than: Pick) =>
  time < than[1] || (time === than[1] && offset < than[2]);

const firstOrLast = (wantEarlier: boolean): MeasureAccumulator => {
  const replaces = (candidate: Pick, current: Pick | null) =>
    current === null || isBefore(candidate[1], candidate[2], current) === wantEarlier;
  return {
    initial: () => null,
    check: () => {},
    add: (state, value, time, offset) => {
      const current = state as Pick | null;
      if (current !== null && isBefore(time, offset, current) !== wantEarlier) return current;
      return [value, time, offset];
    },
    merge: (into, from) => (from !== null && replaces(from as Pick, into as Pick | null) ? from : into),
    result: (state) => (state === null ? null : (state as Pick)[0]),
    toJson: identity,
    fromJson: identity,
  };
};

const ACCUMULATORS: { [Fn in MeasureFunction]: MeasureAccumulator } = {
  count,
  sum,
  min: extreme(1),
  max: extreme(-1),
  avg,
  distinctCount,
  first: firstOrLast(true),
  last: firstOrLast(false),
};

export const measureAccumulator = (fn: MeasureFunction): MeasureAccumulator => ACCUMULATORS[fn];
