/**
 * Prints one figure as DEVELOPERS.md asks: `BENCH {"name","value","unit","baseline","ratio"}`,
 * the baseline measured in the same run. `ratio` > 1 means better than the baseline:
 * ours/theirs for throughput, theirs/ours for latency.
 */
export const benchLine = (figure: {
  name: string;
  value: number;
  unit: string;
  baseline: number;
  higherIsBetter: boolean;
  baselineName: string;
}) => {
  const ratio = figure.higherIsBetter ? figure.value / figure.baseline : figure.baseline / figure.value;
  const round = (n: number) => Math.round(n * 100) / 100;
  process.stdout.write(
    `BENCH ${JSON.stringify({
      name: figure.name,
      value: round(figure.value),
      unit: figure.unit,
      baseline: round(figure.baseline),
      ratio: round(ratio),
      baselineName: figure.baselineName,
    })}\n`,
  );
};

/** Runs `work` and returns operations per second for `count` operations. */
export const perSecond = async (count: number, work: () => Promise<void>) => {
  const started = process.hrtime.bigint();
  await work();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return count / seconds;
};

/** Runs `tasks` with at most `concurrency` at a time. */
export const runConcurrently = async (
  concurrency: number,
  count: number,
  task: (index: number) => Promise<void>,
) => {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await task(next++);
    }),
  );
};
