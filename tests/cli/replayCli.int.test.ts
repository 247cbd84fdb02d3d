import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunCommand, runDecider, runStreamId } from '../../src/domain/runs/run.js';
import { handleCommand } from '../../src/infra/eventstore/handleCommand.js';
import { uniqueTopic } from '../setup/testServices.js';
import { cliTestBed } from './cliTestBed.js';
import { runCli, spawnCli, waitForOutput } from './runCli.js';

// The processors' side is played here, command by command, so the follow is seen at each step.
const bed = cliTestBed('cli_replay');

beforeAll(async () => {
  await bed.setUp();
  await bed.createPipeline('p-replay', uniqueTopic('orders'));
});
afterAll(() => bed.tearDown());

const RUN_ID = /^Run ([0-9a-f-]{36}) requested: version 1 of p-replay, (.+)\.$/m;
const now = () => new Date().toISOString();
const processor = (runId: string, command: RunCommand) =>
  handleCommand(bed.eventStore, runDecider, runStreamId(runId), command, {
    actor: 'processor',
    occurredAt: now(),
  });

/** Starts `tributary replay`, and gives its run id and a promise of how it ends. */
const startReplay = async (args: string[]) => {
  const child = spawnCli(['replay', 'p-replay', ...args], bed.env);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    stderr += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const [, runId, start] = await waitForOutput(child, RUN_ID, 30_000);
  const ended = exited.then((code) => ({ code, stdout, stderr }));
  return { runId: runId!, start: start!, ended };
};

describe('tributary replay', () => {
  it('requests a batch run from an offset and, with --no-wait, only prints it', async () => {
    const result = await runCli(['replay', 'p-replay', '--from-offset', '5', '--no-wait'], bed.env);

    expect(result).toMatchObject({ code: 0, stderr: '' });
    const [, runId, start] = result.stdout.match(RUN_ID)!;
    expect(start).toBe('from offset 5');
    const [requested] = await bed.eventStore.readStream(runStreamId(runId!));
    expect(requested).toMatchObject({
      type: 'RunRequested',
      data: { runId, pipelineId: 'p-replay', version: 1, kind: 'batch', startFrom: { offset: 5 } },
      metadata: { actor: 'cli' },
    });
  });

  it('follows the run with a progress bar of records in out of in + lag, and exits 0 once it completes', async () => {
    const replay = await startReplay(['--from', '2026-03-01T10:00:00+01:00']);
    expect(replay.start).toBe('from 2026-03-01T09:00:00.000Z');

    const { runId } = replay;
    await processor(runId, { type: 'StartRun', data: { runId, startedAt: now() } });
    const progress = (counts: { in: number; out: number; filtered: number }, lag: number): RunCommand => ({
      type: 'RecordRunProgress',
      data: { runId, counts: { ...counts, failed: 0, dlq: 0 }, lag, checkpoint: {}, recordedAt: now() },
    });
    await processor(runId, progress({ in: 4, out: 4, filtered: 0 }, 6));
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    await processor(runId, progress({ in: 10, out: 9, filtered: 1 }, 0));
    await processor(runId, { type: 'CompleteRun', data: { runId, completedAt: now() } });

    const { code, stdout, stderr } = await replay.ended;
    expect(code).toBe(0);
    expect(stdout).toContain(`Run ${runId} completed: 10 in, 9 out, 1 filtered, 0 to the DLQ.\n`);
    expect(stderr).toMatch(new RegExp(`run ${runId.slice(0, 8)} \\[[█░]{24}\\] +40% +4/10 `));
  });

  it('exits 1 with the reason when the run fails, and when it is cancelled', async () => {
    const failing = await startReplay([]);
    expect(failing.start).toBe('from the beginning');
    await processor(failing.runId, {
      type: 'FailRun',
      data: { runId: failing.runId, reason: 'source topic deleted', failedAt: now() },
    });
    expect(await failing.ended).toMatchObject({
      code: 1,
      stderr: `tributary: run ${failing.runId} failed: source topic deleted\n`,
    });

    const cancelled = await startReplay(['--version', '1']);
    await processor(cancelled.runId, {
      type: 'CancelRun',
      data: { runId: cancelled.runId, cancelledAt: now() },
    });
    expect(await cancelled.ended).toMatchObject({
      code: 1,
      stderr: `tributary: run ${cancelled.runId} was cancelled\n`,
    });
  });

  it('refuses what the run cannot be, with the reason', async () => {
    const both = await runCli(
      ['replay', 'p-replay', '--from', '2026-03-01T00:00:00Z', '--from-offset', '1'],
      bed.env,
    );
    expect(both.code).toBe(1);
    expect(both.stderr).toMatch(/^tributary: give --from or --from-offset, not both\n\nUsage:/);
    expect((await runCli(['replay', 'p-replay', '--from', 'yesterday'], bed.env)).stderr).toMatch(
      /^tributary: --from must be an ISO-8601 instant, such as 2026-03-01T09:00:00Z \(got "yesterday"\)\n\nUsage:/,
    );
    expect(await runCli(['replay', 'p-replay', '--version', '2'], bed.env)).toMatchObject({
      code: 1,
      stderr: 'tributary: Version 2 of the pipeline is not published; only a published version can run\n',
    });
    expect(await runCli(['replay', 'nope'], bed.env)).toMatchObject({
      code: 1,
      stderr: 'tributary: No pipeline has this id\n',
    });
  });
});
