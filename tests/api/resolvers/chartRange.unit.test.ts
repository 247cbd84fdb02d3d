import { describe, expect, it } from 'vitest';
import { chartRangeOf } from '../../../src/api/resolvers/chartRange.js';
import { combineOf } from '../../../src/api/resolvers/sinkTableSeries.js';
import { ValidationError } from '../../../src/errors.js';

const problemsOf = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    if (error instanceof ValidationError) return error.problems;
    throw error;
  }
  throw new Error('expected a ValidationError');
};

describe('chart range', () => {
  it('aligns from down to the step and counts the points up to to', () => {
    expect(chartRangeOf({ from: '2026-01-01T00:00:25Z', to: '2026-01-01T00:02:00Z', step: 60 }, 10)).toEqual({
      from: new Date('2026-01-01T00:00:00Z'),
      to: new Date('2026-01-01T00:02:00Z'),
      stepSeconds: 60,
      points: 2,
    });
  });

  it('picks the smallest usual step that keeps to 1000 points when none is given', () => {
    const day = { from: '2026-01-01T00:00:00Z', to: '2026-01-02T00:00:00Z' };
    expect(chartRangeOf(day, 10).stepSeconds).toBe(300);
    expect(chartRangeOf({ ...day, to: '2026-01-01T02:00:00Z' }, 10).stepSeconds).toBe(10);
    expect(chartRangeOf({ ...day, to: '2027-01-01T00:00:00Z' }, 10).stepSeconds).toBe(86_400);
  });

  it('names each field at fault: instants, order, step', () => {
    expect(problemsOf(() => chartRangeOf({ from: 'yesterday', to: 'now', step: 60 }, 10))).toEqual([
      { path: 'from', message: 'must be an ISO-8601 instant' },
      { path: 'to', message: 'must be an ISO-8601 instant' },
    ]);
    expect(
      problemsOf(() =>
        chartRangeOf({ from: '2026-01-02T00:00:00Z', to: '2026-01-01T00:00:00Z', step: 0 }, 10),
      ),
    ).toEqual([
      { path: 'to', message: 'must be after from' },
      {
        path: 'step',
        message: 'must be a whole number of seconds, a multiple of 10 (such as 10, 60 or 3600)',
      },
    ]);
  });

  it('refuses more than 1000 points, saying which step would do', () => {
    expect(
      problemsOf(() =>
        chartRangeOf({ from: '2026-01-01T00:00:00Z', to: '2026-01-01T01:00:00Z', step: 1 }, 1),
      ),
    ).toEqual([
      {
        path: 'step',
        message:
          'gives 3600 points from from to to, more than 1000: use a step of at least 4 s or a shorter range',
      },
    ]);
    expect(
      chartRangeOf({ from: '2026-01-01T00:00:00Z', to: '2026-01-01T01:00:00Z', step: 4 }, 1).points,
    ).toBeLessThanOrEqual(1000);
  });
});

describe('series combine by measure name', () => {
  it('adds counts, sums and totals, keeps minima and maxima, averages the rest', () => {
    expect(
      [
        'count',
        'total',
        'amountSum',
        'order_count',
        'distinctCount',
        'minPrice',
        'max_amount',
        'avgAmount',
        'last',
      ].map(combineOf),
    ).toEqual(['sum', 'sum', 'sum', 'sum', 'sum', 'min', 'max', 'avg', 'avg']);
  });
});
