import type { ChildProcess } from 'node:child_process';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createTestSchema, dropTestSchema, testServices } from '../setup/testServices.js';
import { freePort, spawnCli, waitForOutput } from './runCli.js';

// A query that is still answering seconds later: it waits for the read models to reach a
// position no event has, until its own X-Consistency-Timeout-Ms passes.
const slowQuery = (url: string, timeoutMs: number) => {
  const sent = Date.now();
  return fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-consistent-with': '1000000000',
      'x-consistency-timeout-ms': String(timeoutMs),
    },
    body: JSON.stringify({ query: '{ pipelines(first: 1) { edges { node { id } } } }' }),
  }).then(async (response) => ({
    status: response.status,
    body: (await response.json()) as { errors?: { extensions: { code: string } }[] },
    tookMs: Date.now() - sent,
  }));
};

/** A graphql-ws subscriber, resolved once subscribed, with how its socket ended. */
const subscriber = async (url: string) => {
  const socket = new WebSocket(url.replace(/^http/, 'ws'), 'graphql-transport-ws');
  const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
  await new Promise((resolve) => socket.once('open', resolve));
  const acknowledged = new Promise((resolve) => socket.once('message', resolve));
  socket.send(JSON.stringify({ type: 'connection_init', payload: {} }));
  await acknowledged;
  socket.send(
    JSON.stringify({
      id: '1',
      type: 'subscribe',
      payload: { query: 'subscription { pipelineChanged { event } }' },
    }),
  );
  return { closed };
};

const exitOf = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });

// `tributary start all` as an orchestrator stops it: SIGTERM while a request is in flight.
describe('tributary start on SIGTERM', () => {
  const services = testServices();
  const schemas: string[] = [];
  let child: ChildProcess | undefined;
  let stderr = '';

  const start = async () => {
    const schema = createTestSchema('shutdown');
    schemas.push(schema);
    child = spawnCli(['start', 'all'], {
      DATABASE_URL: services.databaseUrl,
      DATABASE_SCHEMA: schema,
      PORT: String(await freePort()),
      LOG_LEVEL: 'info',
      // Shutdown, not access, is under test: the slow query needs no account.
      AUTH_DISABLED: 'true',
    });
    stderr = '';
    child.stderr?.on('data', (chunk) => {
      stderr += chunk;
    });
    const [, url] = await waitForOutput(child, /"graphqlUrl":"([^"]+)"/);
    return { child, url: url! };
  };

  afterEach(async () => {
    if (child && child.exitCode === null) {
      child.kill('SIGKILL');
      await exitOf(child);
    }
  });

  afterAll(async () => {
    for (const schema of schemas) await dropTestSchema(services.databaseUrl, schema);
  });

  it('finishes the request in flight, closes subscriptions, takes no new request, and exits 0', async () => {
    const { child, url } = await start();
    const subscription = await subscriber(url);
    const slow = slowQuery(url, 3_000);
    await new Promise((resolve) => setTimeout(resolve, 500));

    child.kill('SIGTERM');
    const exited = exitOf(child);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const late = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }' }),
    }).then(
      (response) => response.status,
      () => 'refused',
    );

    const answered = await slow;
    expect(answered.status).toBe(200);
    expect(answered.body.errors?.map((error) => error.extensions.code)).toEqual(['CONSISTENCY_TIMEOUT']);
    expect(answered.tookMs).toBeGreaterThanOrEqual(2_900);
    expect(late === 'refused' || late === 503).toBe(true);
    expect(await exited).toBe(0);
    // A close frame from the server, not a dropped connection (1006).
    expect(await subscription.closed).not.toBe(1006);
    expect(stderr).toContain('SIGTERM: stopping Tributary');
    expect(stderr).toContain('stopped.');
  });

  it('exits at once with 1 on a second SIGTERM, without waiting for the request in flight', async () => {
    const { child, url } = await start();
    const slow = slowQuery(url, 20_000).catch(() => 'cut off');
    await new Promise((resolve) => setTimeout(resolve, 500));

    const signalled = Date.now();
    child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 300));
    child.kill('SIGTERM');

    expect(await exitOf(child)).toBe(1);
    expect(Date.now() - signalled).toBeLessThan(5_000);
    expect(stderr).toContain('SIGTERM again: exiting without finishing');
    expect(await slow).toBe('cut off');
  });
});
