import type { ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphql } from '../e2e/graphqlClient.js';
import { waitFor } from '../setup/waitFor.js';
import { freePort, runCli, spawnCli, waitForOutput } from './runCli.js';

const CREATE = `mutation {
  createPipeline(input: {
    name: "Clean orders", source: { topic: "orders" }, sink: { topic: "orders-clean" }
    steps: [{ map: { rename: [{ from: "amt", to: "amount" }], drop: ["card"] } }]
  }) { pipelineId }
}`;

const stop = async (child: ChildProcess) => {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGINT');
  return exited;
};

// `npm run dev` as a user runs it: the real bin, the embedded PostgreSQL, the embedded log.
describe('tributary dev on the embedded default', () => {
  let dataDir: string;
  let env: Record<string, string>;
  let dev: ChildProcess | undefined;

  let output = '';
  const startDev = async () => {
    dev = spawnCli(['dev'], env);
    output = '';
    dev.stdout?.on('data', (chunk) => {
      output += chunk;
    });
    dev.stderr?.on('data', (chunk) => {
      output += chunk;
    });
    const [, url] = await waitForOutput(dev, /GraphQL:\s+(\S+)/);
    return url!;
  };

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'tributary-dev-'));
    // As root, PostgreSQL runs as `postgres`, which must be able to pass through this folder.
    await chmod(dataDir, 0o755);
    env = {
      TRIBUTARY_DATA_DIR: dataDir,
      EMBEDDED_POSTGRES_PORT: String(await freePort()),
      PORT: String(await freePort()),
      LOG_LEVEL: 'warn',
    };
  });

  afterAll(async () => {
    if (dev && dev.exitCode === null) await stop(dev);
    await rm(dataDir, { recursive: true, force: true });
  });

  it('serves GraphQL, runs an activated pipeline through produce and consume, and keeps it after a restart', async () => {
    let url = await startDev();
    const created = await graphql<{ createPipeline: { pipelineId: string } }>(url, CREATE);
    expect(created.errors).toBeUndefined();
    const id = created.data!.createPipeline.pipelineId;
    await waitFor(
      async () =>
        (await graphql<{ pipeline: unknown }>(url, `{ pipeline(id: "${id}") { id } }`)).data?.pipeline,
    );
    expect(
      (await graphql(url, `mutation { activatePipeline(id: "${id}") { pipelineId } }`)).errors,
    ).toBeUndefined();

    const produced = await runCli(
      ['produce', 'orders', '--key', 'id'],
      env,
      '{"id":"o-1","amt":10,"card":"4111"}\n',
    );
    expect(produced.stderr).toContain('produced 1 record(s) to orders');
    expect(produced.code).toBe(0);
    const consumed = await runCli(['consume', 'orders-clean', '--max', '1'], env);
    expect(consumed.code).toBe(0);
    expect(JSON.parse(consumed.stdout)).toMatchObject({ key: 'o-1', value: { id: 'o-1', amount: 10 } });

    // When dev stops and starts again on the same data folder
    // (with what it printed, so a failed stop explains itself)
    const code = await stop(dev!);
    expect({ code, output }).toEqual({ code: 0, output: expect.stringContaining('stopped.') });
    url = await startDev();

    // Then the pipeline is still there, still active, and still processing
    const read = await graphql(url, `{ pipeline(id: "${id}") { name status } }`);
    expect(read).toEqual({ data: { pipeline: { name: 'Clean orders', status: 'active' } } });
    await runCli(['produce', 'orders'], env, '{"id":"o-2","amt":5}\n');
    const again = await runCli(['consume', 'orders-clean', '--max', '2'], env);
    expect(
      again.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line).value),
    ).toEqual([
      { id: 'o-1', amount: 10 },
      { id: 'o-2', amount: 5 },
    ]);
  });

  it('names the line of bad input and still produces the good lines', async () => {
    const result = await runCli(['produce', 'mixed'], env, '{"a":1}\nnot json\n{"a":2}\n');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('line 2: not valid JSON');
    expect(result.stderr).toContain('produced 2 record(s) to mixed, skipped 1 bad line(s)');
  });

  it('refuses a bad environment with every bad variable named', async () => {
    const result = await runCli(['dev'], { ...env, PORT: 'x', KAFKA_BROKERS: 'nope' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('PORT must be a TCP port number');
    expect(result.stderr).toContain('KAFKA_BROKERS must be a comma-separated list of host:port');
  });
});
