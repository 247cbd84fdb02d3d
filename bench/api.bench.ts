/**
 * GraphQL reads beside a bare Fastify route serving the same rows from the same SQL, in one
 * process, on one PostgreSQL: `npm run bench:api` (BENCH_DATABASE_URL, BENCH_REDIS_URL pick the
 * servers; default: the local ones). The difference is what Mercurius, our schema and resolvers
 * cost per request. The load comes from autocannon in a worker thread of this process.
 */

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import autocannon from 'autocannon';
import Fastify from 'fastify';
import type pg from 'pg';
import { isConnectorReference } from '../src/domain/pipelines/pipelineDefinition.js';
import { createPostgresPool } from '../src/infra/postgres/postgresPool.js';
import { createLogger } from '../src/logger.js';
import { startPlatform } from '../src/platform.js';
import { listPipelines } from '../src/projections/pipelines/pipelineQueries.js';
import { type PipelineView, toPipelineView } from '../src/projections/pipelines/pipelineView.js';
import { findRun } from '../src/projections/runs/runQueries.js';
import { toRunView } from '../src/projections/runs/runView.js';
import { benchLine, runConcurrently } from './benchLine.js';
import { benchConfig, benchToken, freshDatabase, reportLoad } from './benchServices.js';

const PIPELINES = 200;
const PAGE = 20;
const CONNECTIONS = 50;
// BENCH_SECONDS shortens a smoke run; figures for the record use the default.
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const WARM_UP_SECONDS = Math.min(3, SECONDS);

const PIPELINES_QUERY = `query List($first: Int) {
  pipelines(first: $first) {
    edges { node { id name status version latestVersion createdAt updatedAt position source { topic format } sink { topic } } }
  }
}`;
const RUN_QUERY = `query Run($id: ID!) {
  run(id: $id) {
    id pipelineId version kind status requestedAt startedAt finishedAt durationMs
    counts { in out filtered failed dlq } inFlight lag checkpoint { partition position }
    progressRecordedAt failureReason updatedAt position startFrom { timestamp offset }
  }
}`;

// What GraphQL answers for PIPELINES_QUERY, built by hand from the same view.
const pipelineNode = (view: PipelineView) => ({
  id: view.id,
  name: view.name,
  status: view.status,
  version: view.version,
  latestVersion: view.latestVersion,
  createdAt: view.createdAt,
  updatedAt: view.updatedAt,
  position: view.position,
  source: isConnectorReference(view.source)
    ? { topic: null, format: null }
    : { topic: view.source.topic, format: view.source.format },
  sink: { topic: isConnectorReference(view.sink) ? null : view.sink.topic },
});

/** The baseline: one route per query, same request body, same query functions and views. */
const bareServer = async (pool: pg.Pool) => {
  const app = Fastify();
  app.post<{ Body: { variables: { first: number } } }>('/pipelines', async (request) => {
    const { first } = request.body.variables;
    const { rows } = await listPipelines(
      pool,
      {},
      { orderBy: { field: 'createdAt', direction: 'asc' }, after: null, limit: first + 1 },
    );
    const edges = rows.slice(0, first).map((row) => ({ node: pipelineNode(toPipelineView(row)) }));
    return { data: { pipelines: { edges } } };
  });
  app.post<{ Body: { variables: { id: string } } }>('/run', async (request) => {
    const row = await findRun(pool, request.body.variables.id);
    return { data: { run: row && toRunView(row) } };
  });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return { url, close: () => app.close() };
};

// The bench admin's token, sent with every request to the platform (the bare route ignores it).
let authorization = '';

const post = async (url: string, query: string, variables: Record<string, unknown>) => {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: Record<string, unknown>; errors?: unknown };
  if (body.errors) throw new Error(`${query}: ${JSON.stringify(body.errors)}`);
  return body.data!;
};

// Through the API, as users would: each pipeline gets one run that starts, reports and completes.
const seed = async (graphqlUrl: string) => {
  await runConcurrently(8, PIPELINES, async (i) => {
    const { createPipeline } = await post(
      graphqlUrl,
      'mutation C($input: CreatePipelineInput!) { createPipeline(input: $input) { pipelineId } }',
      {
        input: {
          name: `Orders ${i}`,
          source: { topic: `orders-${i}` },
          steps: [{ map: { rename: [{ from: 'amt', to: 'amount' }], drop: ['card'] } }],
          sink: { topic: `orders-clean-${i}` },
        },
      },
    );
    const { pipelineId } = createPipeline as { pipelineId: string };
    const { requestRun } = await post(
      graphqlUrl,
      'mutation R($input: RequestRunInput!) { requestRun(input: $input) { runId } }',
      { input: { pipelineId } },
    );
    const { runId } = requestRun as { runId: string };
    await post(graphqlUrl, 'mutation S($id: ID!) { startRun(id: $id) { runId } }', { id: runId });
    await post(
      graphqlUrl,
      'mutation P($input: RecordRunProgressInput!) { recordRunProgress(input: $input) { runId } }',
      {
        input: {
          runId,
          counts: { in: 1_000, out: 990, filtered: 5, failed: 0, dlq: 5 },
          lag: 0,
          checkpoint: [{ partition: `orders-${i}/0`, position: '1000' }],
        },
      },
    );
    await post(graphqlUrl, 'mutation D($id: ID!) { completeRun(id: $id) { runId } }', { id: runId });
  });
};

const caughtUp = async (pool: pg.Pool) => {
  for (;;) {
    const { rows } = await pool.query<{ pipelines: number; runs: number }>(
      `SELECT (SELECT count(*)::int FROM pipelines) AS pipelines,
              (SELECT count(*)::int FROM runs WHERE status = 'completed') AS runs`,
    );
    if (rows[0]?.pipelines === PIPELINES && rows[0]?.runs === PIPELINES) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
};

const load = async (url: string, query: string, variables: Record<string, unknown>, seconds: number) => {
  const result = await autocannon({
    url,
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization },
    body: JSON.stringify({ query, variables }),
    connections: CONNECTIONS,
    duration: seconds,
    workers: 1,
  });
  if (result.errors > 0 || result.non2xx > 0 || result.timeouts > 0) {
    throw new Error(`${url}: ${result.errors} errors, ${result.non2xx} non-2xx, ${result.timeouts} timeouts`);
  }
  return { rps: result.requests.average, p99: result.latency.p99 };
};

/**
 * Baseline, ours, ours, baseline: drift in the machine's load (other work on the same cores)
 * then weighs on both sides alike. Each figure is the mean of its two runs.
 */
const compare = async (name: string, ours: string, theirs: string, query: string, variables: object) => {
  const vars = { ...variables };
  assert.deepStrictEqual(await post(ours, query, vars), await post(theirs, query, vars));
  await load(theirs, query, vars, WARM_UP_SECONDS);
  await load(ours, query, vars, WARM_UP_SECONDS);
  const runs = [
    await load(theirs, query, vars, SECONDS),
    await load(ours, query, vars, SECONDS),
    await load(ours, query, vars, SECONDS),
    await load(theirs, query, vars, SECONDS),
  ];
  const mean = (a: number, b: number) => (a + b) / 2;
  const [t1, o1, o2, t2] = runs as [(typeof runs)[0], (typeof runs)[0], (typeof runs)[0], (typeof runs)[0]];
  const baselineName = 'bare Fastify route, same SQL';
  benchLine({
    name: `api.${name}.throughput`,
    value: mean(o1.rps, o2.rps),
    unit: 'req/s',
    baseline: mean(t1.rps, t2.rps),
    higherIsBetter: true,
    baselineName,
  });
  benchLine({
    name: `api.${name}.p99`,
    value: mean(o1.p99, o2.p99),
    unit: 'ms',
    baseline: mean(t1.p99, t2.p99),
    higherIsBetter: false,
    baselineName,
  });
};

const main = async () => {
  reportLoad('at start');
  const database = await freshDatabase('tributary_bench_api');
  const namespace = `bench_api_${randomBytes(4).toString('hex')}`;
  const config = benchConfig(database.url, namespace);
  const platform = await startPlatform(config, createLogger(config), ['api', 'projections']);
  // The platform's pool has these settings too (createPostgresPool's defaults).
  const pool = createPostgresPool({ connectionString: database.url, schema: namespace });
  const bare = await bareServer(pool);
  try {
    const graphqlUrl = platform.graphqlUrl!;
    authorization = `Bearer ${await benchToken(graphqlUrl)}`;
    await seed(graphqlUrl);
    await caughtUp(pool);
    const { rows } = await pool.query<{ id: string }>('SELECT id FROM runs ORDER BY id LIMIT 1');
    reportLoad('after seeding');
    await compare(`pipelines${PAGE}`, graphqlUrl, `${bare.url}/pipelines`, PIPELINES_QUERY, { first: PAGE });
    await compare('run', graphqlUrl, `${bare.url}/run`, RUN_QUERY, { id: rows[0]!.id });
    reportLoad('at end');
  } finally {
    await bare.close();
    await pool.end();
    await platform.stop();
    await database.drop();
  }
};

await main();
