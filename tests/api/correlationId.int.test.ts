import { Writable } from 'node:stream';
import mqemitter from 'mqemitter';
import type pg from 'pg';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, buildApi } from '../../src/api/buildApi.js';
import { createPostgresEventStore } from '../../src/infra/eventstore/postgresEventStore.js';
import { postgresEventStoreMigrations } from '../../src/infra/eventstore/postgresEventStoreMigrations.js';
import { migrate } from '../../src/infra/postgres/migrate.js';
import { createPostgresPool } from '../../src/infra/postgres/postgresPool.js';
import { createTestSchema, dropTestSchema, testServices } from '../setup/testServices.js';

const CREATE = `mutation {
  createPipeline(input: { name: "Orders", source: { topic: "orders" }, sink: { topic: "out" }, steps: [] }) {
    pipelineId
  }
}`;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('a correlation id follows a request into its logs and events', () => {
  const services = testServices();
  const schema = createTestSchema('correlation');
  const lines: Record<string, unknown>[] = [];
  let pool: pg.Pool;
  let api: Api;
  let url: string;

  const post = (body: string, correlationId?: string) =>
    fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(correlationId && { 'x-correlation-id': correlationId }),
      },
      body,
    });
  const logged = (correlationId: string) => lines.filter((line) => line.correlationId === correlationId);

  beforeAll(async () => {
    pool = createPostgresPool({ connectionString: services.databaseUrl, schema });
    await migrate(pool, schema, postgresEventStoreMigrations);
    const sink = new Writable({
      write(chunk, _encoding, done) {
        for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
        done();
      },
    });
    api = await buildApi({
      services: {
        pool,
        eventStore: createPostgresEventStore({ pool, schema }),
        newId: () => crypto.randomUUID(),
        now: () => new Date(),
        secretCipher: null,
      },
      logger: pino({ level: 'info' }, sink),
      emitter: mqemitter(),
      graphiql: false,
    });
    url = `${await api.listen({ host: '127.0.0.1', port: 0 })}/graphql`;
  });

  afterAll(async () => {
    await api?.close();
    await pool?.end();
    await dropTestSchema(services.databaseUrl, schema);
  });

  it('logs the request under the caller’s X-Correlation-Id and records it on the events it wrote', async () => {
    const response = await post(JSON.stringify({ query: CREATE }), 'checkout-7f3a:step/2');
    const body = (await response.json()) as { data: { createPipeline: { pipelineId: string } } };

    expect(response.headers.get('x-correlation-id')).toBe('checkout-7f3a:step/2');
    expect(logged('checkout-7f3a:step/2').map((line) => line.msg)).toEqual([
      'incoming request',
      'request completed',
    ]);
    const { rows } = await pool.query<{ metadata: { correlationId?: string } }>(
      'SELECT metadata FROM events WHERE stream_id = $1',
      [`pipeline-${body.data.createPipeline.pipelineId}`],
    );
    expect(rows.map((row) => row.metadata.correlationId)).toEqual(['checkout-7f3a:step/2']);
  });

  it('gives a request without one a new UUID, logged and answered', async () => {
    const response = await post(JSON.stringify({ query: '{ __typename }' }));

    const correlationId = response.headers.get('x-correlation-id') ?? '';
    expect(correlationId).toMatch(UUID);
    expect(logged(correlationId)).toHaveLength(2);
  });

  it('replaces an id with unsafe characters or over 200 characters by a new UUID', async () => {
    for (const unsafe of ['a b', '"quoted"', 'x'.repeat(201)]) {
      const response = await post(JSON.stringify({ query: '{ __typename }' }), unsafe);

      expect(response.headers.get('x-correlation-id')).toMatch(UUID);
      expect(logged(unsafe)).toEqual([]);
    }
  });
});
