import { describe, expect, it } from 'vitest';
import type { AggregateStep } from '../../../src/domain/pipelines/pipelineDefinition.js';
import {
  createAggregateEngine,
  type PartitionAggregator,
  type WindowResult,
} from '../../../src/processors/aggregate/aggregateEngine.js';
import type { JsonRecord } from '../../../src/processors/transform/jsonRecord.js';
import { StepFailure } from '../../../src/processors/transform/stepFailure.js';

// Given: random input from a seeded generator, so a failure is the same on every run.
const mulberry32 = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

interface Input {
  record: JsonRecord;
  timestamp: number;
  offset: number;
}

const KEYS = ['alpha', 'beta', 'gamma', 'delta', 'eps', 'zeta', 'eta', 'theta'];
const LABELS = ['red', 'green', 'blue', 'cyan', 'magenta'];
const T0 = 1_700_000_000_000;

/**
 * A partition's records: a clock moving forward, most records on time, some a few seconds
 * behind (out of order, within lateness or past it), a few far behind, and a few whose amount
 * is text (a sum cannot take it: StepFailure). Event time is in `ts` (ms), `at` (ISO text) and
 * the Kafka timestamp alike, so each step may read any of them.
 */
const randomInput = (seed: number, count: number): Input[] => {
  const random = mulberry32(seed);
  const int = (from: number, to: number) => from + Math.floor(random() * (to - from + 1));
  const inputs: Input[] = [];
  let clock = T0;
  for (let offset = 0; offset < count; offset += 1) {
    // In quarter seconds, so records of one key often share an event time (ties by arrival).
    clock += 250 * int(0, 6);
    let time = clock;
    if (random() < 0.3) time -= 250 * int(0, 32);
    if (random() < 0.03) time -= 250 * int(80, 240);
    const amount = random() < 0.1 ? null : random() < 0.01 ? 'oops' : int(-50, 50);
    const record: JsonRecord = {
      k: KEYS[int(0, KEYS.length - 1)]!,
      amount,
      label: LABELS[int(0, LABELS.length - 1)]!,
      ts: time,
      at: new Date(time).toISOString(),
    };
    inputs.push({ record, timestamp: time, offset });
  }
  return inputs;
};

const MEASURES: AggregateStep['measures'] = [
  { name: 'records', fn: 'count' },
  { name: 'amounts', fn: 'count', expression: 'amount' },
  { name: 'total', fn: 'sum', expression: 'amount' },
  { name: 'low', fn: 'min', expression: 'amount' },
  { name: 'high', fn: 'max', expression: 'amount' },
  { name: 'mean', fn: 'avg', expression: 'amount' },
  { name: 'labels', fn: 'distinctCount', expression: 'label' },
  { name: 'firstLabel', fn: 'first', expression: 'label' },
  { name: 'lastLabel', fn: 'last', expression: 'label' },
  { name: 'lowestLabel', fn: 'min', expression: 'label' },
];

const stepOf = (
  window: AggregateStep['window'],
  emit: 'onClose' | 'onUpdate',
  eventTime?: string,
): AggregateStep => ({
  kind: 'aggregate',
  window,
  key: 'k',
  ...(eventTime === undefined ? {} : { eventTime }),
  measures: MEASURES,
  allowedLatenessMs: 5000,
  emit,
});

// --- The brute-force reference: small, obviously correct, and sharing no code with the engine.

interface Accepted {
  key: string;
  time: number;
  arrival: number;
  record: JsonRecord;
}
interface ReferenceWindow {
  key: string;
  start: number;
  end: number;
  members: Accepted[];
}
interface Reference {
  late: { offset: number; latenessMs: number }[];
  failed: number[];
  /** Every window with its members, closed or not. */
  windows: ReferenceWindow[];
  watermark: number;
}

const timeOf = (step: AggregateStep, input: Input): number =>
  step.eventTime === 'ts'
    ? (input.record.ts as number)
    : step.eventTime === 'at'
      ? Date.parse(input.record.at as string)
      : input.timestamp;

const referenceOf = (step: AggregateStep, inputs: Input[]): Reference => {
  const lateness = step.allowedLatenessMs ?? 0;
  const late: Reference['late'] = [];
  const failed: number[] = [];
  const accepted: Accepted[] = [];
  const fixed = new Map<string, ReferenceWindow>();
  let watermark = Number.NEGATIVE_INFINITY;
  for (const input of inputs) {
    if (typeof input.record.amount === 'string') {
      failed.push(input.offset);
      continue;
    }
    const time = timeOf(step, input);
    const key = input.record.k as string;
    const entry: Accepted = { key, time, arrival: input.offset, record: input.record };
    const { window } = step;
    if (window.type === 'session') {
      if (time + lateness < watermark) {
        late.push({ offset: input.offset, latenessMs: watermark - time });
        continue;
      }
    } else {
      const advance = window.type === 'hopping' ? window.advanceMs : window.sizeMs;
      // Every window that contains the record, by enumeration; the open ones take it.
      const open: number[] = [];
      for (
        let start = Math.floor((time - window.sizeMs) / advance) * advance;
        start <= time;
        start += advance
      ) {
        if (start <= time && time < start + window.sizeMs && start + window.sizeMs + lateness > watermark) {
          open.push(start);
        }
      }
      if (open.length === 0) {
        late.push({ offset: input.offset, latenessMs: watermark - time });
        continue;
      }
      for (const start of open) {
        const id = `${start}|${key}`;
        const found = fixed.get(id) ?? { key, start, end: start + window.sizeMs, members: [] };
        found.members.push(entry);
        fixed.set(id, found);
      }
    }
    accepted.push(entry);
    watermark = Math.max(watermark, time);
  }
  const { window } = step;
  if (window.type !== 'session') return { late, failed, windows: [...fixed.values()], watermark };
  // Sessions offline: a key's accepted records by time, cut where two are gapMs or more apart.
  const windows: ReferenceWindow[] = [];
  for (const key of KEYS) {
    const mine = accepted.filter((a) => a.key === key).sort((a, b) => a.time - b.time);
    let current: ReferenceWindow | undefined;
    for (const item of mine) {
      if (current !== undefined && item.time - (current.end - window.gapMs) < window.gapMs) {
        current.members.push(item);
        current.end = item.time + window.gapMs;
      } else {
        current = { key, start: item.time, end: item.time + window.gapMs, members: [item] };
        windows.push(current);
      }
    }
  }
  return { late, failed, windows, watermark };
};

const byTimeThenArrival = (a: Accepted, b: Accepted) => a.time - b.time || a.arrival - b.arrival;

const referenceRecord = (window: ReferenceWindow): JsonRecord => {
  const amounts = window.members
    .map((m) => m.record.amount)
    .filter((v): v is number => typeof v === 'number');
  const labels = window.members.map((m) => m.record.label as string);
  const ordered = [...window.members].sort(byTimeThenArrival);
  return {
    key: window.key,
    windowStart: new Date(window.start).toISOString(),
    windowEnd: new Date(window.end).toISOString(),
    records: window.members.length,
    amounts: amounts.length,
    total: amounts.reduce((sum, v) => sum + v, 0),
    low: amounts.length === 0 ? null : Math.min(...amounts),
    high: amounts.length === 0 ? null : Math.max(...amounts),
    mean: amounts.length === 0 ? null : amounts.reduce((sum, v) => sum + v, 0) / amounts.length,
    labels: new Set(labels).size,
    firstLabel: ordered[0]!.record.label,
    lastLabel: ordered.at(-1)!.record.label,
    lowestLabel: [...labels].sort()[0],
  };
};

const kafkaKeyOf = (window: ReferenceWindow) => `${window.key}@${new Date(window.start).toISOString()}`;

const closedInReference = (step: AggregateStep, reference: Reference) =>
  reference.windows
    .filter((w) => w.end + (step.allowedLatenessMs ?? 0) <= reference.watermark)
    .map((w) => ({ kafkaKey: kafkaKeyOf(w), record: referenceRecord(w) }))
    .sort((a, b) => (a.kafkaKey < b.kafkaKey ? -1 : 1));

// --- Driving the engine.

interface Run {
  results: WindowResult[];
  late: { offset: number; latenessMs: number; reason: string }[];
  failed: { offset: number; error: unknown }[];
  aggregator: PartitionAggregator;
}

/**
 * Feeds `inputs` to a new aggregator, draining results every `drainEvery` records (and at the
 * end); with `restoreEvery`, drains changes then and replaces the aggregator by one restored
 * from every change drained so far (last value per key, null deleting), as a compacted
 * changelog would hold them.
 */
const runEngine = (step: AggregateStep, inputs: Input[], drainEvery: number, restoreEvery?: number): Run => {
  const engine = createAggregateEngine(step, 3);
  let aggregator = engine.forPartition(0);
  const changelog = new Map<string, Buffer>();
  const run: Run = { results: [], late: [], failed: [], aggregator };
  inputs.forEach((input, index) => {
    try {
      const outcome = aggregator.add(input.record, {
        partition: 0,
        timestamp: input.timestamp,
        offset: input.offset,
      });
      if (!outcome.accepted)
        run.late.push({ offset: input.offset, latenessMs: outcome.latenessMs, reason: outcome.reason });
    } catch (error) {
      run.failed.push({ offset: input.offset, error });
    }
    if ((index + 1) % drainEvery === 0 || index === inputs.length - 1)
      run.results.push(...aggregator.drainResults());
    if (restoreEvery !== undefined && (index + 1) % restoreEvery === 0) {
      for (const change of aggregator.drainChanges()) {
        if (change.value === null) changelog.delete(change.key);
        else changelog.set(change.key, change.value);
      }
      aggregator = engine.restore(0, changelog.entries());
    }
  });
  run.aggregator = aggregator;
  return run;
};

const endOf = (result: WindowResult) => Date.parse(result.record!.windowEnd as string);

const WINDOWS: { name: string; window: AggregateStep['window']; eventTime?: string }[] = [
  { name: 'tumbling', window: { type: 'tumbling', sizeMs: 10_000 }, eventTime: 'ts' },
  { name: 'hopping', window: { type: 'hopping', sizeMs: 12_000, advanceMs: 4_000 } },
  { name: 'session', window: { type: 'session', gapMs: 3_000 }, eventTime: 'at' },
];
const SEEDS = [11, 22, 33];

describe.each(WINDOWS)('the window engine on $name windows', ({ window, eventTime }) => {
  it.each(SEEDS)('emits on close exactly the windows a brute-force reference gives (seed %i)', (seed) => {
    const step = stepOf(window, 'onClose', eventTime);
    const inputs = randomInput(seed, 2500);
    const reference = referenceOf(step, inputs);

    const run = runEngine(step, inputs, 37);

    // Then: only final results, each window once, in the reference's values.
    expect(run.results.every((r) => r.final && r.record !== null)).toBe(true);
    const finals = run.results
      .map(({ kafkaKey, record }) => ({ kafkaKey, record }))
      .sort((a, b) => (a.kafkaKey < b.kafkaKey ? -1 : 1));
    expect(finals).toEqual(closedInReference(step, reference));
    expect(finals.length).toBeGreaterThan(50);
    // Late records are the reference's, each with how far behind the watermark it was.
    expect(run.late.map(({ offset, latenessMs }) => ({ offset, latenessMs }))).toEqual(reference.late);
    expect(reference.late.length).toBeGreaterThan(10);
    expect(run.late[0]!.reason).toBe(
      `late: ${run.late[0]!.latenessMs} ms behind the watermark, allowed lateness 5000 ms`,
    );
    // A record the measures cannot take fails, located at the step, and changes nothing.
    expect(run.failed.map((f) => f.offset)).toEqual(reference.failed);
    for (const { error } of run.failed) {
      expect(error).toBeInstanceOf(StepFailure);
      expect((error as Error).message).toBe(
        'steps[3] aggregate: measure "total" (sum of amount): "oops" is not a number',
      );
    }
    expect(run.aggregator.watermark).toBe(reference.watermark);
    expect(run.aggregator.nextOffset).toBe(inputs.length);
    const stillOpen = reference.windows.length - closedInReference(step, reference).length;
    expect(run.aggregator.openWindows).toBe(stillOpen);
  });

  it.each(SEEDS)('orders each drain by window end, then key (seed %i)', (seed) => {
    const step = stepOf(window, 'onClose', eventTime);
    const engine = createAggregateEngine(step);
    const aggregator = engine.forPartition(0);
    for (const [index, input] of randomInput(seed, 2500).entries()) {
      try {
        aggregator.add(input.record, { partition: 0, timestamp: input.timestamp, offset: input.offset });
      } catch {}
      if (index % 200 !== 199) continue;
      const drained = aggregator.drainResults();
      const order = drained.map((r) => [endOf(r), r.record!.key as string] as const);
      const sorted = [...order].sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
      expect(order).toEqual(sorted);
    }
  });

  it.each(SEEDS)(
    'on update, sends every change, and the upserts end equal to the reference (seed %i)',
    (seed) => {
      const step = stepOf(window, 'onUpdate', eventTime);
      const inputs = randomInput(seed, 2500);
      const reference = referenceOf(step, inputs);

      // When: drained after every record, as a processor sending each change would.
      const run = runEngine(step, inputs, 1);

      // Then: the last update of each window before its final equals the final.
      const lastUpdate = new Map<string, JsonRecord | null>();
      let finals = 0;
      for (const result of run.results) {
        if (result.final) {
          expect(lastUpdate.get(result.kafkaKey)).toEqual(result.record);
          finals += 1;
        }
        lastUpdate.set(result.kafkaKey, result.record);
      }
      expect(finals).toBe(closedInReference(step, reference).length);
      // Applied as an upsert stream (null deleting), the output holds every window, open or closed.
      const table = [...lastUpdate]
        .filter(([, record]) => record !== null)
        .sort(([a], [b]) => (a < b ? -1 : 1));
      const expected = reference.windows
        .map((w) => [kafkaKeyOf(w), referenceRecord(w)] as const)
        .sort(([a], [b]) => (a < b ? -1 : 1));
      expect(table).toEqual(expected);
      if (window.type === 'session') {
        // Out-of-order records bridged sessions here, and the merged-away ones were retracted.
        expect(run.results.filter((r) => r.record === null).length).toBeGreaterThan(0);
      }
    },
  );

  it.each(['onClose', 'onUpdate'] as const)(
    'restored from its changes midway, gives the results of an uninterrupted run (%s)',
    (emit) => {
      const step = stepOf(window, emit, eventTime);
      const inputs = randomInput(44, 3000);

      const uninterrupted = runEngine(step, inputs, 25);
      const restored = runEngine(step, inputs, 25, 350);

      expect(restored.results).toEqual(uninterrupted.results);
      expect(restored.late).toEqual(uninterrupted.late);
      expect(restored.aggregator.watermark).toBe(uninterrupted.aggregator.watermark);
      expect(restored.aggregator.nextOffset).toBe(uninterrupted.aggregator.nextOffset);
      expect(restored.aggregator.openWindows).toBe(uninterrupted.aggregator.openWindows);
    },
  );
});

describe('the window engine, in detail', () => {
  const tumbling = (parts: Partial<AggregateStep> = {}): AggregateStep => ({
    kind: 'aggregate',
    window: { type: 'tumbling', sizeMs: 60_000 },
    key: 'customer',
    measures: [{ name: 'orders', fn: 'count' }],
    ...parts,
  });
  const at = (offset: number, timestamp = T0) => ({ partition: 2, timestamp, offset });

  it('starts empty: no watermark, no offset, no windows, no changes', () => {
    const aggregator = createAggregateEngine(tumbling()).forPartition(2);
    expect(aggregator.partition).toBe(2);
    expect(aggregator.watermark).toBe(Number.NEGATIVE_INFINITY);
    expect(aggregator.nextOffset).toBe(-1);
    expect(aggregator.openWindows).toBe(0);
    expect(aggregator.drainChanges()).toEqual([]);
    expect(aggregator.drainResults()).toEqual([]);
  });

  it('keys results by key and window start, with ISO times, and keys of any type as text', () => {
    const aggregator = createAggregateEngine(tumbling()).forPartition(2);
    aggregator.add({ customer: 'c-1' }, at(0, Date.parse('2026-01-01T10:00:30Z')));
    aggregator.add({ customer: 7 }, at(1, Date.parse('2026-01-01T10:00:59.999Z')));
    aggregator.add({ customer: 'c-1' }, at(2, Date.parse('2026-01-01T10:01:00Z')));
    expect(aggregator.drainResults()).toEqual([
      {
        kafkaKey: '7@2026-01-01T10:00:00.000Z',
        record: {
          key: '7',
          windowStart: '2026-01-01T10:00:00.000Z',
          windowEnd: '2026-01-01T10:01:00.000Z',
          orders: 1,
        },
        final: true,
      },
      {
        kafkaKey: 'c-1@2026-01-01T10:00:00.000Z',
        record: {
          key: 'c-1',
          windowStart: '2026-01-01T10:00:00.000Z',
          windowEnd: '2026-01-01T10:01:00.000Z',
          orders: 1,
        },
        final: true,
      },
    ]);
  });

  it('fails a record whose key or event time cannot be read, and moves past it', () => {
    const aggregator = createAggregateEngine(tumbling({ eventTime: 'when' }), 4).forPartition(2);
    expect(() => aggregator.add({ customer: null, when: 1 }, at(0))).toThrow(
      new StepFailure({ index: 4, kind: 'aggregate' }, 'key customer: is null'),
    );
    expect(() => aggregator.add({ customer: 'c', when: true }, at(1))).toThrow(
      'steps[4] aggregate: eventTime when: true is not a time (ms since the epoch, or ISO-8601 text)',
    );
    expect(() => aggregator.add({ customer: 'c', when: 'yesterday' }, at(2))).toThrow(
      /"yesterday" is not a time/,
    );
    expect(aggregator.openWindows).toBe(0);
    expect(aggregator.watermark).toBe(Number.NEGATIVE_INFINITY);
    expect(aggregator.nextOffset).toBe(3);
  });

  it('moves nextOffset past records skipped before the step, and keeps it in the changes', () => {
    const engine = createAggregateEngine(tumbling());
    const aggregator = engine.forPartition(2);
    aggregator.skip(41);
    expect(aggregator.nextOffset).toBe(42);
    const restored = engine.restore(
      2,
      aggregator.drainChanges().map((c) => [c.key, c.value!] as [string, Buffer]),
    );
    expect(restored.nextOffset).toBe(42);
  });

  it('takes min and max of text as text, numbers before text, and skips nulls', () => {
    const step = tumbling({
      measures: [
        { name: 'low', fn: 'min', expression: 'v' },
        { name: 'high', fn: 'max', expression: 'v' },
      ],
    });
    const aggregator = createAggregateEngine(step).forPartition(2);
    aggregator.add({ customer: 'a', v: '2026-01-02T00:00:00Z' }, at(0));
    aggregator.add({ customer: 'a', v: '2026-01-01T00:00:00Z' }, at(1));
    aggregator.add({ customer: 'b', v: null }, at(2));
    aggregator.add({ customer: 'c', v: 'x' }, at(3));
    aggregator.add({ customer: 'c', v: 3 }, at(4));
    expect(() => aggregator.add({ customer: 'c', v: true }, at(5))).toThrow(
      'steps[0] aggregate: measure "low" (min of v): true is neither a number nor a string',
    );
    aggregator.add({ customer: 'z', v: null }, at(6, T0 + 3_600_000));
    expect(aggregator.drainResults().map((r) => [r.record!.key, r.record!.low, r.record!.high])).toEqual([
      ['a', '2026-01-01T00:00:00Z', '2026-01-02T00:00:00Z'],
      ['b', null, null],
      ['c', 3, 'x'],
    ]);
  });

  it('averages numbers only: null without any, a failure for text', () => {
    const step = tumbling({ measures: [{ name: 'mean', fn: 'avg', expression: 'v' }] });
    const aggregator = createAggregateEngine(step).forPartition(2);
    aggregator.add({ customer: 'a', v: 1 }, at(0));
    aggregator.add({ customer: 'a', v: 2 }, at(1));
    aggregator.add({ customer: 'b', v: null }, at(2));
    expect(() => aggregator.add({ customer: 'a', v: '3' }, at(3))).toThrow('"3" is not a number');
    aggregator.add({ customer: 'z', v: null }, at(4, T0 + 3_600_000));
    expect(aggregator.drainResults().map((r) => [r.record!.key, r.record!.mean])).toEqual([
      ['a', 1.5],
      ['b', null],
    ]);
  });
});
