import mqemitter from 'mqemitter';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, buildApi } from '../../../src/api/buildApi.js';
import type { PipelineEvent } from '../../../src/domain/pipelines/pipeline.js';
import type { RunEvent } from '../../../src/domain/runs/run.js';
import type { EventStore } from '../../../src/infra/eventstore/eventStore.js';
import { createLogger } from '../../../src/logger.js';
import { pipelinesProjection } from '../../../src/projections/pipelines/pipelinesProjection.js';
import type { Projection } from '../../../src/projections/projection.js';
import { runsProjection } from '../../../src/projections/runs/runsProjection.js';
import { projectionTestBed } from '../../projections/projectionTestBed.js';

// Both read models in one schema, as the API reads them.
const both: Projection = {
  name: 'pipelines_and_runs',
  tables: [...pipelinesProjection.tables, ...runsProjection.tables],
  migrations: [...pipelinesProjection.migrations, ...runsProjection.migrations],
  apply: async (client, events) => [
    ...(await pipelinesProjection.apply(client, events)),
    ...(await runsProjection.apply(client, events)),
  ],
};
const bed = projectionTestBed(both);
const T = (minute: number) => new Date(Date.UTC(2026, 0, 1, 0, minute)).toISOString();
const PIPELINES = 20;

let api: Api;
const statements: string[] = [];

beforeAll(async () => {
  await bed.setUp();
  for (let n = 1; n <= PIPELINES; n++) {
    const pipelineId = `p-${String(n).padStart(2, '0')}`;
    const created: PipelineEvent = {
      type: 'PipelineCreated',
      data: {
        pipelineId,
        name: `Pipeline ${n}`,
        version: 1,
        definition: { source: { topic: `in-${n}`, format: 'json' }, steps: [], sink: { topic: `out-${n}` } },
        createdAt: T(n),
      },
    };
    const runs = [1, 2, 3].map(
      (r): RunEvent => ({
        type: 'RunRequested',
        data: { runId: `${pipelineId}-r${r}`, pipelineId, version: 1, kind: 'batch', requestedAt: T(n + r) },
      }),
    );
    await bed.deliver([
      ...bed.record(`pipeline-${pipelineId}`, [created]),
      ...runs.flatMap((run) => bed.record(`run-${run.data.runId}`, [run])),
    ]);
  }
  // Every statement the API sends through the pool, to count them per request.
  const query = bed.pool.query.bind(bed.pool);
  bed.pool.query = ((...args: Parameters<typeof query>) => {
    const sql = args[0] as string | { text: string };
    statements.push(typeof sql === 'string' ? sql : sql.text);
    return query(...args);
  }) as typeof bed.pool.query;
  api = await buildApi({
    services: {
      pool: bed.pool,
      eventStore: {} as EventStore,
      newId: () => 'unused',
      now: () => new Date(),
      secretCipher: null,
    },
    logger: createLogger({ logLevel: 'silent' }),
    emitter: mqemitter(),
    graphiql: false,
  });
});
afterAll(async () => {
  await api?.close();
  await bed.tearDown();
});

const post = async (query: string) => {
  statements.length = 0;
  const response = await api.inject({ method: 'POST', url: '/graphql', payload: { query } });
  return response.json();
};

describe('fields of listed pipelines are batched', () => {
  it('lists 20 pipelines with their versions, runs and the runs pipelines in five statements, not one per pipeline', async () => {
    const response = await post(`{
      pipelines(first: ${PIPELINES}) {
        totalCount
        edges { node {
          id
          versions { version status }
          runs(first: 2) { totalCount pageInfo { hasNextPage } edges { node { id pipeline { id } } } }
        } }
      }
    }`);
    expect(response.errors).toBeUndefined();
    const edges = response.data.pipelines.edges;
    expect(edges).toHaveLength(PIPELINES);
    expect(edges[0].node).toEqual({
      id: 'p-01',
      versions: [{ version: 1, status: 'published' }],
      runs: {
        totalCount: 3,
        pageInfo: { hasNextPage: true },
        edges: [
          { node: { id: 'p-01-r3', pipeline: { id: 'p-01' } } },
          { node: { id: 'p-01-r2', pipeline: { id: 'p-01' } } },
        ],
      },
    });
    // The page and its count, then one statement each for versions, runs and the runs' pipelines.
    expect(statements).toHaveLength(5);
    expect(statements.filter((sql) => sql.includes('FROM pipeline_versions'))).toHaveLength(1);
  });

  it('fails only the runs of the pipeline whose cursor is bad, the others still answer', async () => {
    const response = await post(`{
      a: pipeline(id: "p-01") { runs(first: 1) { edges { node { id } } } }
      b: pipeline(id: "p-02") { runs(first: 1, after: "bad") { edges { node { id } } } }
    }`);
    expect(response).toEqual({
      data: { a: { runs: { edges: [{ node: { id: 'p-01-r3' } }] } }, b: null },
      errors: [
        {
          message:
            'Invalid input: after: is not a cursor of this list in this order; start again without after',
          locations: [{ line: 3, column: 33 }],
          path: ['b', 'runs'],
          extensions: {
            code: 'VALIDATION_FAILED',
            category: 'VALIDATION',
            problems: [
              {
                path: 'after',
                message: 'is not a cursor of this list in this order; start again without after',
              },
            ],
          },
        },
      ],
    });
  });
});
