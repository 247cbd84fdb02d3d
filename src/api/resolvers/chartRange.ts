import { type FieldProblem, ValidationError } from '../../errors.js';

/** The most points a chart query answers per line: enough for any screen, bounded for the server. */
export const MAX_CHART_POINTS = 1_000;
/** Steps picked when a query leaves `step` out, smallest first. */
const AUTO_STEPS = [10, 60, 300, 900, 3_600, 21_600, 86_400];

export interface ChartRangeArgs {
  from: string;
  to: string;
  step?: number | null;
}

export interface ChartRange {
  /** `from` aligned down to the step (steps are aligned on the Unix epoch, as buckets are). */
  from: Date;
  to: Date;
  stepSeconds: number;
  points: number;
}

const instantOf = (value: string): number => (typeof value === 'string' ? Date.parse(value) : Number.NaN);

const pointsOf = (from: number, to: number, stepSeconds: number) => {
  const step = stepSeconds * 1000;
  return Math.ceil((to - Math.floor(from / step) * step) / step);
};

/**
 * Checks a chart's range and step, naming the field at fault, and picks a step when none is
 * given. `multipleOf`: what the step must be a multiple of (the finest bucket, for metrics).
 */
export const chartRangeOf = (args: ChartRangeArgs, multipleOf: number): ChartRange => {
  const problems: FieldProblem[] = [];
  const from = instantOf(args.from);
  const to = instantOf(args.to);
  if (Number.isNaN(from)) problems.push({ path: 'from', message: 'must be an ISO-8601 instant' });
  if (Number.isNaN(to)) problems.push({ path: 'to', message: 'must be an ISO-8601 instant' });
  else if (!Number.isNaN(from) && to <= from) problems.push({ path: 'to', message: 'must be after from' });
  const { step } = args;
  if (step != null && (!Number.isSafeInteger(step) || step < multipleOf || step % multipleOf !== 0)) {
    problems.push({
      path: 'step',
      message: `must be a whole number of seconds, a multiple of ${multipleOf} (such as ${multipleOf}, 60 or 3600)`,
    });
  }
  if (problems.length > 0) throw new ValidationError(problems);
  const stepSeconds =
    step ??
    AUTO_STEPS.find((auto) => auto % multipleOf === 0 && pointsOf(from, to, auto) <= MAX_CHART_POINTS);
  if (stepSeconds === undefined) {
    throw new ValidationError([
      { path: 'from', message: `the range is too long for ${MAX_CHART_POINTS} daily points: shorten it` },
    ]);
  }
  const points = pointsOf(from, to, stepSeconds);
  if (points > MAX_CHART_POINTS) {
    const smallest = Math.ceil((to - from) / 1000 / (MAX_CHART_POINTS - 1) / multipleOf) * multipleOf;
    throw new ValidationError([
      {
        path: 'step',
        message: `gives ${points} points from from to to, more than ${MAX_CHART_POINTS}: use a step of at least ${smallest} s or a shorter range`,
      },
    ]);
  }
  const stepMs = stepSeconds * 1000;
  return { from: new Date(Math.floor(from / stepMs) * stepMs), to: new Date(to), stepSeconds, points };
};
