import { getIntrospectionQuery } from 'graphql';
import mqemitter from 'mqemitter';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, buildApi } from '../../src/api/buildApi.js';
import type { ApiLimits } from '../../src/api/queryLimits.js';
import { errorCodes } from '../../src/errors.js';
import { createPostgresEventStore } from '../../src/infra/eventstore/postgresEventStore.js';
import { createPostgresPool } from '../../src/infra/postgres/postgresPool.js';
import { createLogger } from '../../src/logger.js';
import { createTestSchema, testServices } from '../setup/testServices.js';

/** POSTs a raw body, so a test can send what no well-behaved client would. */
const post = async (url: string, body: string) => {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
  return { status: response.status, body: await response.json() };
};
const query = (url: string, text: string, variables?: Record<string, unknown>) =>
  post(url, JSON.stringify({ query: text, variables }));

const rejected = (
  code: keyof typeof errorCodes,
  extensions: Record<string, unknown> = {},
  message?: string,
) => ({
  data: null,
  errors: [
    {
      message: message ?? errorCodes[code].message,
      extensions: { code, category: errorCodes[code].category, ...extensions },
    },
  ],
});

// The API as the platform builds it; no request here reaches a resolver that reads data.
describe('the API refuses requests over its limits, with coded errors', () => {
  const services = testServices();
  const schema = createTestSchema('api_limits');
  let pool: pg.Pool;
  const apis: Api[] = [];
  let url: string;
  let strictUrl: string;

  const start = async (limits?: Partial<ApiLimits>) => {
    const api = await buildApi({
      services: {
        pool,
        eventStore: createPostgresEventStore({ pool, schema }),
        newId: () => 'id',
        now: () => new Date(),
        secretCipher: null,
      },
      logger: createLogger({ logLevel: 'silent' }),
      emitter: mqemitter(),
      graphiql: false,
      ...(limits && { limits }),
    });
    apis.push(api);
    return `${await api.listen({ host: '127.0.0.1', port: 0 })}/graphql`;
  };

  beforeAll(async () => {
    pool = createPostgresPool({ connectionString: services.databaseUrl, schema });
    url = await start();
    strictUrl = await start({ maxCost: 3, maxDepth: 1 });
  });

  afterAll(async () => {
    for (const api of apis) await api.close();
    await pool?.end();
  });

  it('answers GraphiQL’s introspection query within the default limits', async () => {
    const response = await query(url, getIntrospectionQuery());

    const body = response.body as { data: { __schema: { queryType: unknown } }; errors?: unknown };
    expect(response.status).toBe(200);
    expect(body.errors).toBeUndefined();
    expect(body.data.__schema.queryType).toEqual({ name: 'Query', kind: 'OBJECT' });
  });

  it('refuses an operation that costs more than the maximum with QUERY_TOO_COSTLY, its cost and the maximum', async () => {
    const response = await query(strictUrl, '{ a: apiVersion b: apiVersion c: apiVersion d: apiVersion }');

    expect(response).toEqual({ status: 200, body: rejected('QUERY_TOO_COSTLY', { cost: 4, max: 3 }) });
  });

  it('runs an operation that costs exactly the maximum', async () => {
    const response = await query(strictUrl, '{ a: apiVersion b: apiVersion c: apiVersion }');

    expect(response).toEqual({ status: 200, body: { data: { a: '0.1.0', b: '0.1.0', c: '0.1.0' } } });
  });

  it('refuses a query nested deeper than the maximum with QUERY_TOO_DEEP, its depth and the maximum', async () => {
    const response = await query(strictUrl, '{ pipeline(id: "p-1") { __typename } }');

    expect(response).toEqual({ status: 200, body: rejected('QUERY_TOO_DEEP', { depth: 2, max: 1 }) });
  });

  it('refuses introspection that goes through the fields of types twice on one path', async () => {
    const response = await query(url, '{ __schema { queryType { fields { type { fields { name } } } } } }');

    expect(response).toEqual({
      status: 200,
      body: rejected(
        'QUERY_TOO_DEEP',
        { typeTraversals: 2, max: 1 },
        'Introspection may go through the fields of types once per path',
      ),
    });
  });

  it('refuses a document of more than 10,000 tokens before validating it', async () => {
    const response = await query(url, `{ ${'apiVersion '.repeat(10_000)}}`);

    expect(response).toEqual({
      status: 200,
      body: {
        data: null,
        errors: [
          {
            message: 'Syntax Error: Document contains more that 10000 tokens. Parsing aborted.',
            locations: [{ line: 1, column: expect.any(Number) }],
            extensions: { code: 'INVALID_QUERY', category: 'VALIDATION' },
          },
        ],
      },
    });
  });

  it('refuses batched operations with 400 and INVALID_QUERY, running none of them', async () => {
    const response = await post(
      url,
      JSON.stringify([{ query: '{ apiVersion }' }, { query: '{ apiVersion }' }]),
    );

    expect(response).toEqual({
      status: 400,
      body: rejected(
        'INVALID_QUERY',
        {},
        'Batched operations are not accepted: send one operation per request',
      ),
    });
  });

  it('refuses a body over 1 MiB with 413 and REQUEST_TOO_LARGE, and accepts one just under', async () => {
    const padded = (bytes: number) => {
      const body = JSON.stringify({ query: '{ apiVersion}' });
      // Spaces are ignored tokens: the query stays the same, only the body grows.
      return JSON.stringify({ query: `{ apiVersion${' '.repeat(bytes - body.length)}}` });
    };
    expect(Buffer.byteLength(padded(1_048_577))).toBe(1_048_577);

    expect(await post(url, padded(1_048_577))).toEqual({
      status: 413,
      body: rejected('REQUEST_TOO_LARGE', { maxBytes: 1_048_576 }),
    });
    expect(await post(url, padded(1_048_576))).toEqual({
      status: 200,
      body: { data: { apiVersion: '0.1.0' } },
    });
  });

  it('answers a body that is not JSON with 400 and INVALID_QUERY rather than an internal error', async () => {
    const response = await post(url, '{"query": "{ apiVersion }"');

    expect(response).toEqual({
      status: 400,
      body: rejected(
        'INVALID_QUERY',
        {},
        "Body is not valid JSON but content-type is set to 'application/json'",
      ),
    });
  });
});
