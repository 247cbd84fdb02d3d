import { describe, expect, it } from 'vitest';
import { problemsOfSteps } from './pipelineFixtures.js';

const DAY = 86_400_000;
const aggregate = (parts: Record<string, unknown> = {}) => ({
  kind: 'aggregate',
  window: { type: 'tumbling', sizeMs: 60_000 },
  key: 'customerId',
  measures: [
    { name: 'orders', fn: 'count' },
    { name: 'revenue', fn: 'sum', expression: 'amount' },
  ],
  ...parts,
});
const filter = { kind: 'filter', expr: 'amount > 0' };
const SIZE_MESSAGE = 'must be a whole number of milliseconds from 1000 to 2678400000 (31 days)';

describe('aggregate steps', () => {
  it('accepts each window kind, every measure function, an event time, lateness and emit mode, after other steps', () => {
    const measures = ['count', 'sum', 'min', 'max', 'avg', 'distinctCount', 'first', 'last'].map((fn) => ({
      name: `m_${fn}`,
      fn,
      expression: 'amount',
    }));
    for (const window of [
      { type: 'tumbling', sizeMs: 1_000 },
      { type: 'tumbling', sizeMs: 31 * DAY },
      { type: 'hopping', sizeMs: 3_600_000, advanceMs: 60_000 },
      { type: 'hopping', sizeMs: 60_000, advanceMs: 60_000 },
      { type: 'session', gapMs: 30 * 60_000 },
    ]) {
      expect(problemsOfSteps(filter, aggregate({ window })), JSON.stringify(window)).toEqual([]);
    }
    expect(
      problemsOfSteps(aggregate({ measures, eventTime: 'placedAt', allowedLatenessMs: 0, emit: 'onUpdate' })),
    ).toEqual([]);
    // As an Avro reader gives absent optional fields.
    expect(
      problemsOfSteps(
        aggregate({
          eventTime: null,
          allowedLatenessMs: null,
          emit: null,
          measures: [{ name: 'n', fn: 'count', expression: null }],
        }),
      ),
    ).toEqual([]);
  });

  it('rejects an unknown window type, naming the types', () => {
    for (const window of [{ type: 'sliding', sizeMs: 60_000 }, undefined, 'tumbling']) {
      expect(problemsOfSteps(aggregate({ window })), JSON.stringify(window)).toEqual([
        { path: 'steps[0].window.type', message: 'must be one of: tumbling, hopping, session' },
      ]);
    }
  });

  it('rejects sizes and gaps that are not whole milliseconds from 1 s to 31 days, at their field', () => {
    for (const sizeMs of [999, 0, -60_000, 1500.5, 31 * DAY + 1, '60000', undefined]) {
      expect(problemsOfSteps(aggregate({ window: { type: 'tumbling', sizeMs } })), String(sizeMs)).toEqual([
        { path: 'steps[0].window.sizeMs', message: SIZE_MESSAGE },
      ]);
    }
    expect(problemsOfSteps(aggregate({ window: { type: 'session', gapMs: 500 } }))).toEqual([
      { path: 'steps[0].window.gapMs', message: SIZE_MESSAGE },
    ]);
    expect(problemsOfSteps(aggregate({ window: { type: 'hopping', sizeMs: 60_000 } }))).toEqual([
      { path: 'steps[0].window.advanceMs', message: SIZE_MESSAGE },
    ]);
  });

  it('rejects a hopping advance that does not divide the size, exceeds it, or makes over 100 windows per record', () => {
    const hopping = (sizeMs: number, advanceMs: number) =>
      problemsOfSteps(aggregate({ window: { type: 'hopping', sizeMs, advanceMs } }));
    for (const [sizeMs, advanceMs] of [
      [60_000, 7_000],
      [60_000, 120_000],
    ]) {
      expect(hopping(sizeMs!, advanceMs!)).toEqual([
        { path: 'steps[0].window.advanceMs', message: 'must divide sizeMs evenly (and be at most sizeMs)' },
      ]);
    }
    expect(hopping(DAY, 60_000)).toEqual([
      {
        path: 'steps[0].window.advanceMs',
        message: 'must be at least sizeMs / 100: each record would fall in more windows than that',
      },
    ]);
    expect(hopping(100_000, 1_000)).toEqual([]);
  });

  it('rejects broken key and event time expressions at their paths', () => {
    expect(problemsOfSteps(aggregate({ key: '', eventTime: 'placed.' }))).toEqual([
      { path: 'steps[0].key', message: 'must be a CEL expression, such as customerId' },
      { path: 'steps[0].eventTime', message: expect.stringMatching(/^Unexpected token: EOF|^Expected/) },
    ]);
  });

  it('rejects lateness beyond 31 days or negative, and an unknown emit mode', () => {
    for (const allowedLatenessMs of [-1, 31 * DAY + 1, 2.5]) {
      expect(problemsOfSteps(aggregate({ allowedLatenessMs })), String(allowedLatenessMs)).toEqual([
        {
          path: 'steps[0].allowedLatenessMs',
          message: 'must be a whole number of milliseconds from 0 to 2678400000 (31 days)',
        },
      ]);
    }
    expect(problemsOfSteps(aggregate({ emit: 'always' }))).toEqual([
      { path: 'steps[0].emit', message: 'must be one of: onClose, onUpdate' },
    ]);
  });

  it('requires an expression for every function but count, and a known function', () => {
    expect(
      problemsOfSteps(
        aggregate({
          measures: [
            { name: 'orders', fn: 'count' },
            { name: 'revenue', fn: 'sum' },
            { name: 'top', fn: 'max', expression: 'amount +' },
            { name: 'p99', fn: 'percentile', expression: 'amount' },
          ],
        }),
      ),
    ).toEqual([
      { path: 'steps[0].measures[1].expression', message: 'must be a CEL expression, such as amount' },
      { path: 'steps[0].measures[2].expression', message: expect.any(String) },
      {
        path: 'steps[0].measures[3].fn',
        message: 'must be one of: count, sum, min, max, avg, distinctCount, first, last',
      },
    ]);
  });

  it('rejects measure names that are no field name, repeat, or take the result record’s own fields', () => {
    const named = (...names: unknown[]) =>
      problemsOfSteps(aggregate({ measures: names.map((name) => ({ name, fn: 'count' })) }));
    expect(named('total', 'total')).toEqual([
      { path: 'steps[0].measures[1].name', message: '"total" names another measure already' },
    ]);
    expect(named('with space', '', 7)).toEqual(
      [0, 1, 2].map((index) => ({
        path: `steps[0].measures[${index}].name`,
        message: 'must be a field name without spaces',
      })),
    );
    for (const name of ['key', 'windowStart', 'windowEnd']) {
      expect(named(name)).toEqual([
        {
          path: 'steps[0].measures[0].name',
          message: 'must not be key, windowStart, windowEnd: the result record has those fields',
        },
      ]);
    }
  });

  it('requires 1 to 50 measures', () => {
    const many = Array.from({ length: 51 }, (_, index) => ({ name: `m${index}`, fn: 'count' }));
    for (const measures of [[], many, undefined, 'count']) {
      expect(problemsOfSteps(aggregate({ measures })), String(measures)).toEqual([
        { path: 'steps[0].measures', message: 'must be a list of 1 to 50 measures' },
      ]);
    }
    expect(problemsOfSteps(aggregate({ measures: many.slice(0, 50) }))).toEqual([]);
  });

  it('must be the last step, so a version has one at most', () => {
    const notLast = {
      path: 'steps[0].kind',
      message: 'an aggregate step must be the last step (a version has at most one)',
    };
    expect(problemsOfSteps(aggregate(), filter)).toEqual([notLast]);
    expect(problemsOfSteps(aggregate(), aggregate())).toEqual([notLast]);
  });
});
