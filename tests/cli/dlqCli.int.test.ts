import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LogRecord } from '../../src/infra/log/log.js';
import { deadLetterTopicOf } from '../../src/processors/pipelineProcessor.js';
import { uniqueTopic } from '../setup/testServices.js';
import { cliTestBed } from './cliTestBed.js';
import { runCli } from './runCli.js';

const bed = cliTestBed('cli_dlq');
const source = uniqueTopic('orders');
const letter = (n: number): LogRecord => ({
  key: Buffer.from(`o-${n}`),
  value: Buffer.from(`{"id": ${n}, "amt":`),
  timestamp: Date.UTC(2026, 2, 1, 9, 0, n),
  headers: {
    'tributary-error': 'invalid JSON: Unexpected end of JSON input',
    'tributary-step': 'source',
    'tributary-pipeline-id': 'p-dlq',
    'tributary-pipeline-version': '1',
    'tributary-source': `${source}/0/${n}`,
  },
});

beforeAll(async () => {
  await bed.setUp();
  await bed.createPipeline('p-dlq', source);
  await bed.log.produce(
    deadLetterTopicOf('p-dlq'),
    [1, 2, 3].map((n) => ({ ...letter(n), partition: 0 })),
  );
});
afterAll(() => bed.tearDown());

const listed = (stdout: string) =>
  stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));

describe('tributary dlq', () => {
  it('lists dead letters as JSON lines with their error, step and source, and --max of them', async () => {
    const all = await runCli(['dlq', 'list', 'p-dlq'], bed.env);
    expect(all).toMatchObject({ code: 0, stderr: '' });
    expect(listed(all.stdout)).toEqual(
      [1, 2, 3].map((n, offset) => ({
        partition: 0,
        offset,
        timestamp: new Date(Date.UTC(2026, 2, 1, 9, 0, n)).toISOString(),
        key: `o-${n}`,
        error: 'invalid JSON: Unexpected end of JSON input',
        step: 'source',
        source: `${source}/0/${n}`,
        version: '1',
        value: `{"id": ${n}, "amt":`,
      })),
    );

    const two = await runCli(['dlq', 'list', 'p-dlq', '--max', '2'], bed.env);
    expect(listed(two.stdout).map((line) => line.key)).toEqual(['o-1', 'o-2']);
  });

  it('replays the dead letters to the source once, with a progress line, and lists them still', async () => {
    const first = await runCli(['dlq', 'replay', 'p-dlq'], bed.env);
    expect(first).toMatchObject({ code: 0, stdout: `Replayed 3 dead letter(s) of p-dlq to ${source}.\n` });
    expect(first.stderr).toMatch(/^dlq p-dlq \[[█░]{24}\] +\d+% +\d\/3 /);

    const again = await runCli(['dlq', 'replay', 'p-dlq'], bed.env);
    expect(again).toMatchObject({ code: 0, stdout: `Replayed 0 dead letter(s) of p-dlq to ${source}.\n` });
    const ends = await bed.log.endOffsets(source);
    expect([...ends.values()].reduce((sum, end) => sum + end, 0)).toBe(3);
    expect(listed((await runCli(['dlq', 'list', 'p-dlq'], bed.env)).stdout)).toHaveLength(3);
  });

  it('says so for a pipeline without dead letters, and fails for one that does not exist', async () => {
    await bed.createPipeline('p-clean', uniqueTopic('clean'));
    expect(await runCli(['dlq', 'list', 'p-clean'], bed.env)).toMatchObject({
      code: 0,
      stdout: '',
      stderr: 'tributary.dlq.p-clean: no dead letters\n',
    });
    expect(await runCli(['dlq', 'replay', 'nope'], bed.env)).toMatchObject({
      code: 1,
      stderr: 'tributary: No pipeline has this id\n',
    });
  });

  it('shows the usage for a missing action or pipeline id', async () => {
    const missing = await runCli(['dlq', 'replay'], bed.env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^tributary: dlq replay needs exactly one pipeline id\n\nUsage:/);
    expect((await runCli(['dlq', 'peek', 'p-dlq'], bed.env)).stderr).toMatch(
      /^tributary: dlq needs list <pipelineId> or replay <pipelineId> \(got "peek"\)/,
    );
  });
});
