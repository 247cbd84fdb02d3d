import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../cli/runCli.js';
import { testServices } from '../../setup/testServices.js';
import { waitFor } from '../../setup/waitFor.js';
import { type RunnerTestBed, runnerTestBed, tallyProjection } from './runnerTestBed.js';

// The real bin against a schema whose runner runs in this process, as an operator would use it.
describe('tributary projections', () => {
  let bed: RunnerTestBed;
  let env: Record<string, string>;

  beforeAll(async () => {
    bed = await runnerTestBed();
    env = { DATABASE_URL: testServices().databaseUrl, DATABASE_SCHEMA: bed.schema, LOG_LEVEL: 'warn' };
    const head = await bed.countMany(600, 3);
    await bed.start(tallyProjection('tally', { delayMs: 40 }), { batchSize: 20 });
    await waitFor(async () => (await bed.status('tally'))?.position === head, 30_000);
  });
  afterAll(() => bed.tearDown());

  it('rebuilds with a progress bar on stderr and exits once the new generation is swapped in, then shows it', async () => {
    const rebuilt = await runCli(['projections', 'rebuild', 'tally'], env);
    expect(rebuilt).toMatchObject({ code: 0 });
    expect(rebuilt.stdout).toMatch(
      /^tally: generation 2 swapped in at position \d+; generation 1 dropped\.\n$/,
    );
    expect(rebuilt.stderr).toMatch(/tally g2 \[[█░]{24}\] +\d+% +[\d,]+\/600 +[\d,]+\/s +ETA (\d+s|\?)/);

    const status = await runCli(['projections', 'status'], env);
    expect(status.code).toBe(0);
    expect(status.stdout.split('\n').slice(0, 2)).toEqual([
      'PROJECTION  STATUS   GEN  POSITION  LAG  REBUILD  ERROR',
      'tally       running  2    600       0    -        -',
    ]);
  });

  it('fails with the reason for an unknown projection', async () => {
    const unknown = await runCli(['projections', 'resume', 'nope'], env);
    expect(unknown).toMatchObject({ code: 1, stderr: 'tributary: No projection is named nope\n' });
  });
});
