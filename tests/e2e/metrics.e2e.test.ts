import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSecretCipher } from '../../src/infra/crypto/secretCipher.js';
import type { Platform } from '../../src/platform.js';
import { createPostgresTableSink } from '../../src/processors/sinks/postgresTableSink.js';
import { createTestSchema, dropTestSchema, testServices, uniqueTopic } from '../setup/testServices.js';
import { waitFor } from '../setup/waitFor.js';
import { type GraphQLResponse, graphql, subscribe } from './graphqlClient.js';
import { startTestPlatform } from './testPlatform.js';

const M = {
  create: 'mutation ($input: CreatePipelineInput!) { createPipeline(input: $input) { pipelineId position } }',
  requestRun: 'mutation ($input: RequestRunInput!) { requestRun(input: $input) { runId position } }',
  startRun: 'mutation ($id: ID!) { startRun(id: $id) { runId position } }',
  progress:
    'mutation ($input: RecordRunProgressInput!) { recordRunProgress(input: $input) { runId position } }',
  cancelRun: 'mutation ($id: ID!) { cancelRun(id: $id) { runId position } }',
  createConnector:
    'mutation ($input: CreateConnectorInput!) { createConnector(input: $input) { connectorId position } }',
};
const POINT = `time stepSeconds recordsIn recordsOut recordsFailed recordsDlq inPerSecond outPerSecond
  failedPerSecond dlqPerSecond lag latencyAvgMs latencyMaxMs`;
const PIPELINE_METRICS = `query ($pipelineId: ID!, $from: DateTime!, $to: DateTime!, $step: Int) {
  pipelineMetrics(pipelineId: $pipelineId, from: $from, to: $to, step: $step) {
    pipelineId stepSeconds granularity points { ${POINT} }
  }
}`;
const METRICS_UPDATED = `subscription ($pipelineId: ID!) { pipelineMetricsUpdated(pipelineId: $pipelineId) { ${POINT} } }`;
const SERIES = `query ($name: String!, $filter: SeriesFilter, $from: DateTime!, $to: DateTime!, $step: Int) {
  series(name: $name, filter: $filter, from: $from, to: $to, step: $step) {
    name table measure stepSeconds combine lines { key points { time value windows } }
  }
}`;

type Point = Record<string, number | string | null>;
const services = testServices();
const schema = createTestSchema('e2e_metrics');
const sinkSchema = `${schema}_sink`;
const secretsKey = randomBytes(32);
let platform: Platform;
let url: string;

beforeAll(async () => {
  platform = await startTestPlatform(schema, {
    env: {
      LOG_LEVEL: 'fatal',
      SECRETS_KEYS: `k1:${secretsKey.toString('base64')}`,
      PROCESSOR_PROGRESS_INTERVAL_MS: '300',
    },
  });
  url = platform.graphqlUrl!;
});
afterAll(async () => {
  await platform?.stop();
  await dropTestSchema(services.databaseUrl, schema);
  await dropTestSchema(services.databaseUrl, sinkSchema);
});

/** Sends an operation that must succeed; waits for the read models up to `after` when given. */
const ok = async <Data = Record<string, unknown>>(
  query: string,
  variables: Record<string, unknown>,
  after?: string,
) => {
  const response = await graphql(url, query, variables, after ? { 'x-consistent-with': after } : {});
  expect(response.errors).toBeUndefined();
  return Object.values(response.data ?? {})[0] as Data & { position: string };
};
const validationFailure = (field: string, problems: { path: string; message: string }[]) => ({
  data: null,
  errors: [
    {
      message: `Invalid input: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`,
      locations: [expect.any(Object)],
      path: [field],
      extensions: { code: 'VALIDATION_FAILED', category: 'VALIDATION', problems },
    },
  ],
});
const sum = (points: Point[], field: string) =>
  points.reduce((total, point) => total + Number(point[field]), 0);
const counts = (c: Partial<Record<'in' | 'out' | 'filtered' | 'failed' | 'dlq', number>>) => ({
  in: 0,
  out: 0,
  filtered: 0,
  failed: 0,
  dlq: 0,
  ...c,
});

describe('pipeline metrics and series over GraphQL', () => {
  it('charts a pipeline restarted between two runs, and streams each changed point live', async () => {
    const from = new Date(Date.now() - 60_000).toISOString();
    const { pipelineId } = await ok<{ pipelineId: string }>(M.create, {
      input: {
        name: 'Metered',
        source: { topic: uniqueTopic('in') },
        steps: [],
        sink: { topic: uniqueTopic('out') },
      },
    });
    const live = subscribe(url, METRICS_UPDATED, { pipelineId });
    await live.ready;

    // Given a first run reporting twice, cancelled, and a second run counting from zero
    const first = await ok<{ runId: string }>(M.requestRun, { input: { pipelineId, kind: 'streaming' } });
    await ok(M.startRun, { id: first.runId });
    await ok(M.progress, {
      input: { runId: first.runId, counts: counts({ in: 100, out: 90, failed: 4, dlq: 4 }), lag: 40 },
    });
    const pushed = await live.next(() => true);
    await ok(M.progress, {
      input: { runId: first.runId, counts: counts({ in: 150, out: 135, failed: 4, dlq: 10 }), lag: 20 },
    });
    await ok(M.cancelRun, { id: first.runId });
    const second = await ok<{ runId: string }>(M.requestRun, { input: { pipelineId, kind: 'streaming' } });
    await ok(M.startRun, { id: second.runId });
    const last = await ok(M.progress, {
      input: { runId: second.runId, counts: counts({ in: 30, out: 20, filtered: 10 }), lag: 5 },
    });
    const to = new Date(Date.now() + 60_000).toISOString();

    // Then the first report arrived live as its 10 s point
    expect(pushed).toEqual({
      data: {
        pipelineMetricsUpdated: {
          time: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d0\.000Z$/),
          stepSeconds: 10,
          recordsIn: 100,
          recordsOut: 90,
          recordsFailed: 4,
          recordsDlq: 4,
          inPerSecond: 10,
          outPerSecond: 9,
          failedPerSecond: 0.4,
          dlqPerSecond: 0.4,
          lag: 40,
          latencyAvgMs: null,
          latencyMaxMs: null,
        },
      },
    });

    // And the chart per minute and per 10 s adds up to the deltas: 150 + 30 in, 135 + 20 out
    for (const step of [60, 10]) {
      const metrics = await ok<{ stepSeconds: number; granularity: string; points: Point[] }>(
        PIPELINE_METRICS,
        { pipelineId, from, to, step },
        last.position,
      );
      expect(metrics).toMatchObject({
        pipelineId,
        stepSeconds: step,
        granularity: step === 60 ? 'minute' : 'tenSeconds',
      });
      const stepMs = step * 1000;
      expect(metrics.points).toHaveLength(
        Math.ceil((Date.parse(to) - Math.floor(Date.parse(from) / stepMs) * stepMs) / stepMs),
      );
      expect(metrics.points[0]?.time).toBe(
        new Date(Math.floor(Date.parse(from) / stepMs) * stepMs).toISOString(),
      );
      expect([sum(metrics.points, 'recordsIn'), sum(metrics.points, 'recordsOut')]).toEqual([180, 155]);
      expect([sum(metrics.points, 'recordsFailed'), sum(metrics.points, 'recordsDlq')]).toEqual([4, 10]);
      expect(Math.max(...metrics.points.map((point) => Number(point.lag ?? 0)))).toBe(40);
    }
    // Left out, the step is the smallest keeping to 1000 points: 10 s over two minutes
    const picked = await ok<{ stepSeconds: number }>(PIPELINE_METRICS, { pipelineId, from, to });
    expect(picked.stepSeconds).toBe(10);
    await live.close();
  });

  it('charts a running pipeline with its processing latency, from the processor through run progress', async () => {
    const from = new Date(Date.now() - 60_000).toISOString();
    const source = uniqueTopic('orders');
    const { pipelineId } = await ok<{ pipelineId: string }>(M.create, {
      input: {
        name: 'Timed',
        source: { topic: source },
        steps: [{ filter: { expr: 'amount > 4' } }],
        sink: { topic: uniqueTopic('big') },
      },
    });
    // Given an active pipeline (embedded log) fed 10 orders, 5 of them big enough to go out
    await ok('mutation ($id: ID!) { activatePipeline(id: $id) { pipelineId } }', { id: pipelineId });
    await platform.log.produce(
      source,
      Array.from({ length: 10 }, (_, amount) => ({
        key: null,
        value: Buffer.from(JSON.stringify({ amount })),
      })),
    );

    // Then its metrics count them, with the latency of the records that went out
    const points = await waitFor(async () => {
      const to = new Date(Date.now() + 60_000).toISOString();
      const metrics = await ok<{ points: Point[] }>(PIPELINE_METRICS, { pipelineId, from, to, step: 60 });
      return sum(metrics.points, 'recordsOut') === 5 ? metrics.points : null;
    }, 30_000);
    expect([sum(points, 'recordsIn'), sum(points, 'recordsOut')]).toEqual([10, 5]);
    const timed = points.filter((point) => point.latencyAvgMs !== null);
    expect(timed.length).toBeGreaterThan(0);
    for (const point of timed) {
      expect(point.latencyAvgMs).toBeGreaterThanOrEqual(0);
      expect(point.latencyMaxMs).toBeGreaterThanOrEqual(point.latencyAvgMs as number);
      // Produced just now: the latency is seconds at most, not the age of the epoch.
      expect(point.latencyMaxMs).toBeLessThan(60_000);
    }
  });

  it('refuses a step that is no multiple of 10 s, too many points, and a range that ends before it starts', async () => {
    const args = { pipelineId: 'p', from: '2026-01-01T00:00:00Z', to: '2026-01-02T00:00:00Z' };
    expect(await graphql(url, PIPELINE_METRICS, { ...args, step: 15 })).toEqual(
      validationFailure('pipelineMetrics', [
        {
          path: 'step',
          message: 'must be a whole number of seconds, a multiple of 10 (such as 10, 60 or 3600)',
        },
      ]),
    );
    expect(await graphql(url, PIPELINE_METRICS, { ...args, step: 10 })).toEqual(
      validationFailure('pipelineMetrics', [
        {
          path: 'step',
          message:
            'gives 8640 points from from to to, more than 1000: use a step of at least 90 s or a shorter range',
        },
      ]),
    );
    expect(await graphql(url, PIPELINE_METRICS, { ...args, to: args.from, step: 60 })).toEqual(
      validationFailure('pipelineMetrics', [{ path: 'to', message: 'must be after from' }]),
    );
  });

  it('reads a measure of an aggregate sink table as series, per key or all keys together', async () => {
    const table = `${sinkSchema}.sales_per_minute`;
    const db = new pg.Client({ connectionString: services.databaseUrl });
    await db.connect();
    await db.query(`CREATE SCHEMA ${sinkSchema}`);
    await db.end();
    const connector = await ok(M.createConnector, {
      input: {
        name: 'Sales per minute',
        direction: 'sink',
        kind: 'postgres_table',
        config: { connectionString: services.databaseUrl, table, keyColumns: ['key', 'window_start'] },
      },
    });
    // Given windows of a minute written by the sink, as the aggregate step would
    const cipher = createSecretCipher({ keys: { k1: secretsKey }, activeKeyId: 'k1' });
    const sink = await createPostgresTableSink({
      config: { connectionString: cipher.encrypt(services.databaseUrl), table, keyColumns: [] },
      cipher,
    });
    const at = (minute: number) => new Date(Date.UTC(2026, 0, 1, 0, minute)).toISOString();
    const window = (key: string, minute: number, total: number, maxAmount: number) => ({
      kafkaKey: `${key}@${at(minute)}`,
      record: {
        key,
        windowStart: at(minute),
        windowEnd: at(minute + 1),
        total,
        maxAmount,
        avgAmount: total / 2,
      },
    });
    await sink.write([
      window('EU', 0, 10, 6),
      window('EU', 1, 20, 12),
      window('US', 1, 5, 5),
      window('EU', 3, 40, 30),
    ]);
    await sink.close();
    const range = { from: at(0), to: at(4), step: 120 };

    // Then totals add up per two minutes, maxima keep theirs, and averages average
    const read = (name: string, filter?: unknown) =>
      graphql(url, SERIES, { name, filter, ...range }, { 'x-consistent-with': connector.position });
    expect(await read(`${table}.total`)).toEqual({
      data: {
        series: {
          name: `${table}.total`,
          table,
          measure: 'total',
          stepSeconds: 120,
          combine: 'sum',
          lines: [
            {
              key: null,
              points: [
                { time: at(0), value: 35, windows: 3 },
                { time: at(2), value: 40, windows: 1 },
              ],
            },
          ],
        },
      },
    });
    const perKey = await read(`${table}.maxAmount`, { keys: ['EU', 'US'] });
    expect(perKey.data?.series).toMatchObject({
      combine: 'max',
      lines: [
        {
          key: 'EU',
          points: [
            { value: 12, windows: 2 },
            { value: 30, windows: 1 },
          ],
        },
        {
          key: 'US',
          points: [
            { value: 5, windows: 1 },
            { value: null, windows: 0 },
          ],
        },
      ],
    });
    const averaged = await read(`${table}.avgAmount`, { keys: ['EU'] });
    expect(averaged.data?.series).toMatchObject({
      combine: 'avg',
      lines: [{ key: 'EU', points: [{ value: 7.5 }, { value: 20 }] }],
    });
  });

  it('refuses a series of a table no sink connector names, and a name that is not <table>.<measure>', async () => {
    const range = { from: '2026-01-01T00:00:00Z', to: '2026-01-01T01:00:00Z', step: 60 };
    expect(await graphql(url, SERIES, { name: 'users.password_hash', ...range })).toEqual(
      validationFailure('series', [
        {
          path: 'name',
          message:
            'no postgres-table sink connector writes to the table "users": only such tables can be read as series',
        },
      ]),
    );
    const injected = (await graphql(url, SERIES, {
      name: 'x; DROP TABLE users; --.total',
      ...range,
    })) as GraphQLResponse;
    expect(injected.errors?.[0]?.extensions).toEqual({
      code: 'VALIDATION_FAILED',
      category: 'VALIDATION',
      problems: [
        {
          path: 'name',
          message:
            'must be <table>.<measure> (or <schema>.<table>.<measure>), such as sales_per_minute.total',
        },
      ],
    });
  });
});
