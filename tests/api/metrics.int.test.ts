import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Platform } from '../../src/platform.js';
import { allProjections } from '../../src/projections/allProjections.js';
import { graphql } from '../e2e/graphqlClient.js';
import { startTestPlatform } from '../e2e/testPlatform.js';
import { createTestSchema, dropTestSchema, testServices } from '../setup/testServices.js';
import { waitFor } from '../setup/waitFor.js';

const CREATE = `mutation CreateOrders($input: CreatePipelineInput!) {
  createPipeline(input: $input) { pipelineId position }
}`;
const LIST = 'query ListPipelines { pipelines(first: 5) { edges { node { id } } } }';

/** The value of the first sample whose line starts with `series` (name and labels), if any. */
const sample = (metrics: string, series: string) => {
  const line = metrics.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

describe('/metrics after some traffic', () => {
  const services = testServices();
  const schema = createTestSchema('metrics');
  let platform: Platform;
  let url: string;
  let metrics: string;

  beforeAll(async () => {
    platform = await startTestPlatform(schema, { roles: ['api', 'projections'] });
    url = platform.graphqlUrl!;
    const created = await graphql(url, CREATE, {
      input: { name: 'Orders', source: { topic: 'orders' }, sink: { topic: 'orders-out' }, steps: [] },
    });
    expect(created.errors).toBeUndefined();
    await waitFor(async () => {
      const listed = await graphql<{ pipelines: { edges: unknown[] } }>(url, LIST);
      return listed.data?.pipelines.edges.length === 1;
    });
    await fetch(url.replace(/\/graphql$/, '/health/live'));
    // Lag is read at scrape time: once every projection has caught up, each reports 0.
    metrics = await waitFor(async () => {
      const text = await (await fetch(url.replace(/\/graphql$/, '/metrics'))).text();
      return sample(text, 'tributary_projection_lag_events{projection="pipelines"}') === 0 ? text : null;
    });
  });

  afterAll(async () => {
    await platform?.stop();
    await dropTestSchema(services.databaseUrl, schema);
  });

  it('times HTTP requests by route pattern, method and status code', () => {
    expect(
      sample(
        metrics,
        'tributary_http_request_duration_seconds_count{route="/graphql",method="POST",status_code="200"}',
      ),
    ).toBeGreaterThanOrEqual(2);
    expect(
      sample(
        metrics,
        'tributary_http_request_duration_seconds_count{route="/health/live",method="GET",status_code="200"}',
      ),
    ).toBe(1);
  });

  it('times GraphQL operations by operation name and type', () => {
    expect(
      sample(
        metrics,
        'tributary_graphql_operation_duration_seconds_count{operation_name="CreateOrders",operation_type="mutation"}',
      ),
    ).toBe(1);
    expect(
      sample(
        metrics,
        'tributary_graphql_operation_duration_seconds_count{operation_name="ListPipelines",operation_type="query"}',
      ),
    ).toBeGreaterThanOrEqual(1);
  });

  it('times event store appends', () => {
    expect(
      sample(metrics, 'tributary_eventstore_append_duration_seconds_count{outcome="ok"}'),
    ).toBeGreaterThanOrEqual(1);
  });

  it('reports the lag of every projection', () => {
    for (const projection of allProjections) {
      expect(sample(metrics, `tributary_projection_lag_events{projection="${projection.name}"}`)).toBe(0);
    }
  });

  it('reports Node’s default metrics and declares the pipelines’ consumer lag', () => {
    expect(sample(metrics, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(metrics).toContain('# TYPE nodejs_eventloop_lag_seconds gauge');
    expect(metrics).toContain('# TYPE tributary_pipeline_lag_records gauge');
  });
});
