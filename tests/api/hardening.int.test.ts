import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { Redis } from 'ioredis';
import mqemitter from 'mqemitter';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, buildApi } from '../../src/api/buildApi.js';
import type { HardeningOptions } from '../../src/api/hardening.js';
import { createPostgresEventStore } from '../../src/infra/eventstore/postgresEventStore.js';
import { createPostgresPool } from '../../src/infra/postgres/postgresPool.js';
import { createLogger } from '../../src/logger.js';
import { createTestSchema, testServices } from '../setup/testServices.js';

const TYPENAME = JSON.stringify({ query: '{ __typename }' });
const LOGIN = JSON.stringify({
  query: 'mutation { session: login(email: "a@example.com", password: "wrong") { accessToken } }',
});

const post = async (url: string, body: string, headers: Record<string, string> = {}) => {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  return { status: response.status, headers: response.headers, body: await response.json() };
};

/** POSTs JSON from a given local address: another client, as the server sees it. */
const postFrom = (localAddress: string, url: string, body: string) =>
  new Promise<number>((resolve, reject) => {
    const request = httpRequest(
      url,
      { method: 'POST', localAddress, headers: { 'content-type': 'application/json' } },
      (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      },
    );
    request.once('error', reject);
    request.end(body);
  });

const refused = (
  code: string,
  category: string,
  message: string,
  extensions: Record<string, unknown> = {},
) => ({
  data: null,
  errors: [{ message, extensions: { code, category, ...extensions } }],
});

describe('the API’s hardening', () => {
  const services = testServices();
  const schema = createTestSchema('hardening');
  // Rate-limit keys of this test run only, in the shared Redis.
  const keyPrefix = `test-${randomUUID()}`;
  let pool: pg.Pool;
  const apis: Api[] = [];
  const redisClients: Redis[] = [];

  const start = async (hardening: HardeningOptions, graphiql = false) => {
    const api = await buildApi({
      services: {
        pool,
        eventStore: createPostgresEventStore({ pool, schema }),
        newId: randomUUID,
        now: () => new Date(),
        secretCipher: null,
      },
      logger: createLogger({ logLevel: 'silent' }),
      emitter: mqemitter(),
      graphiql,
      hardening,
    });
    apis.push(api);
    return `${await api.listen({ host: '127.0.0.1', port: 0 })}/graphql`;
  };
  const sharedRedis = () => {
    const redis = new Redis(services.redisUrl);
    redisClients.push(redis);
    return redis;
  };

  beforeAll(() => {
    pool = createPostgresPool({ connectionString: services.databaseUrl, schema });
  });

  afterAll(async () => {
    for (const api of apis) await api.close();
    for (const redis of redisClients) redis.disconnect();
    await pool?.end();
  });

  describe('security headers', () => {
    it('sends a strict content security policy and the other security headers on every answer', async () => {
      const url = await start({});

      const answer = await post(url, TYPENAME);

      expect(answer.status).toBe(200);
      expect(answer.headers.get('content-security-policy')).toContain("default-src 'self'");
      expect(answer.headers.get('content-security-policy')).toContain("script-src 'self'");
      expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
      expect(answer.headers.get('x-frame-options')).toBe('SAMEORIGIN');
      expect(answer.headers.get('strict-transport-security')).toContain('max-age=');
      expect(answer.headers.get('referrer-policy')).toBe('no-referrer');
      expect(answer.headers.has('x-powered-by')).toBe(false);
    });

    it('relaxes the content security policy for GraphiQL’s page only, which loads its scripts from unpkg', async () => {
      const url = await start({ graphiql: true }, true);

      const page = await fetch(url.replace(/\/graphql$/, '/graphiql'));
      const api = await post(url, TYPENAME);

      expect(page.status).toBe(200);
      expect(page.headers.get('content-security-policy')).toContain(
        "script-src 'self' 'unsafe-inline' 'unsafe-eval' https://unpkg.com",
      );
      expect(api.headers.get('content-security-policy')).not.toContain('unpkg');
    });
  });

  describe('CSRF protection for GraphQL over HTTP', () => {
    let url: string;
    beforeAll(async () => {
      url = await start({});
    });

    it.each([
      'text/plain',
      'text/plain;charset=UTF-8',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
    ])('refuses a POST with the simple content type %s with 415', async (contentType) => {
      const answer = await post(url, TYPENAME, { 'content-type': contentType });

      expect(answer.status).toBe(415);
      expect(answer.body).toEqual(
        refused(
          'INVALID_QUERY',
          'VALIDATION',
          'POST /graphql takes a JSON body (Content-Type: application/json); form and plain-text bodies are refused (CSRF)',
        ),
      );
    });

    it('refuses a POST without a content type', async () => {
      const response = await fetch(url, { method: 'POST', body: new Uint8Array(Buffer.from(TYPENAME)) });

      expect(response.status).toBe(415);
    });

    it('runs queries over GET but refuses mutations there', async () => {
      const query = await fetch(`${url}?query=${encodeURIComponent('{ __typename }')}`);
      const mutation = await fetch(`${url}?query=${encodeURIComponent('mutation { __typename }')}`);

      expect(query.status).toBe(200);
      expect(await query.json()).toEqual({ data: { __typename: 'Query' } });
      expect(await mutation.json()).toEqual(
        refused('INVALID_QUERY', 'VALIDATION', 'Operation cannot be performed via a GET request'),
      );
    });

    it('refuses batched operations', async () => {
      const answer = await post(
        url,
        JSON.stringify([{ query: '{ __typename }' }, { query: '{ __typename }' }]),
      );

      expect(answer.status).toBe(400);
    });
  });

  describe('introspection', () => {
    it('is refused when off (production), naming the field', async () => {
      const url = await start({ introspection: false });

      const answer = await post(url, JSON.stringify({ query: '{ __schema { queryType { name } } }' }));

      const disabled = (field: string, column: number) => ({
        message: `GraphQL introspection has been disabled, but the requested query contained the field "${field}".`,
        locations: [{ line: 1, column }],
        extensions: { code: 'INVALID_QUERY', category: 'VALIDATION' },
      });
      expect(answer.body).toEqual({
        data: null,
        errors: [disabled('__schema', 3), disabled('queryType', 14)],
      });
    });

    it('is answered when on', async () => {
      const url = await start({ introspection: true });

      const answer = await post(url, JSON.stringify({ query: '{ __schema { queryType { name } } }' }));

      expect(answer.body).toEqual({ data: { __schema: { queryType: { name: 'Query' } } } });
    });
  });

  describe('rate limits', () => {
    it('counts a token’s requests across two API instances sharing Redis, then answers 429 with Retry-After', async () => {
      const options = { apiRateLimit: { max: 5, windowMs: 60_000 }, rateLimitKeyPrefix: `${keyPrefix}-api` };
      const first = await start({ ...options, redis: sharedRedis() });
      const second = await start({ ...options, redis: sharedRedis() });
      const token = { authorization: `Bearer ${randomUUID()}` };

      const statuses = [];
      for (const url of [first, second, first, second, first])
        statuses.push((await post(url, TYPENAME, token)).status);
      const sixth = await post(second, TYPENAME, token);
      const otherToken = await post(second, TYPENAME, { authorization: `Bearer ${randomUUID()}` });

      expect(statuses).toEqual([200, 200, 200, 200, 200]);
      expect(sixth.status).toBe(429);
      const retryAfter = Number(sixth.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(60);
      expect(sixth.body).toEqual(
        refused('RATE_LIMITED', 'UNAVAILABLE', `Too many requests; retry in ${retryAfter} s`, {
          max: 5,
          retryAfterSeconds: retryAfter,
        }),
      );
      expect(otherToken.status).toBe(200);
    });

    it('limits logins per IP across instances, whatever alias the operation gives login, and lets other operations through', async () => {
      const options = {
        loginRateLimit: { max: 2, windowMs: 60_000 },
        rateLimitKeyPrefix: `${keyPrefix}-login`,
      };
      const first = await start({ ...options, redis: sharedRedis() });
      const second = await start({ ...options, redis: sharedRedis() });

      const firstLogin = await post(first, LOGIN);
      const secondLogin = await post(second, LOGIN);
      const thirdLogin = await post(first, LOGIN);
      const query = await post(first, TYPENAME);

      expect([firstLogin.status, secondLogin.status]).not.toContain(429);
      expect(thirdLogin.status).toBe(429);
      expect(thirdLogin.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(thirdLogin.body).toEqual(
        refused('RATE_LIMITED', 'UNAVAILABLE', expect.stringMatching(/^Too many requests/), {
          max: 2,
          retryAfterSeconds: expect.any(Number),
        }),
      );
      expect(query.status).toBe(200);
    });

    it('limits logins per account across IPs, with the address given inline or as a variable', async () => {
      const options = {
        loginRateLimit: { max: 2, windowMs: 60_000 },
        rateLimitKeyPrefix: `${keyPrefix}-account`,
      };
      const url = await start({ ...options, redis: sharedRedis() });
      const byVariable = JSON.stringify({
        query: 'mutation In($email: String!) { login(email: $email, password: "wrong") { accessToken } }',
        variables: { email: 'Target@Example.com' },
      });
      const inline = (email: string) =>
        JSON.stringify({ query: `mutation { login(email: "${email}", password: "wrong") { accessToken } }` });

      // Each attempt from another loopback address, so only the account's count can refuse.
      const statuses = [];
      for (const [index, body] of [
        byVariable,
        inline('target@example.com'),
        byVariable,
        inline('other@example.com'),
      ].entries()) {
        statuses.push(await postFrom(`127.0.0.${index + 2}`, url, body));
      }

      expect(statuses).toEqual([200, 200, 429, 200]);
    });

    it('counts in memory, per instance, without Redis', async () => {
      const options = { apiRateLimit: { max: 1, windowMs: 60_000 } };
      const first = await start(options);
      const second = await start(options);

      const statuses = [];
      for (const url of [first, second, first]) statuses.push((await post(url, TYPENAME)).status);

      expect(statuses).toEqual([200, 200, 429]);
    });

    it('limits nothing when a limit is off', async () => {
      const url = await start({ apiRateLimit: null });

      const statuses = [];
      for (let i = 0; i < 3; i += 1) statuses.push((await post(url, TYPENAME)).status);

      expect(statuses).toEqual([200, 200, 200]);
    });

    it('never limits the health probes', async () => {
      const url = await start({ apiRateLimit: { max: 1, windowMs: 60_000 } });
      const live = url.replace(/\/graphql$/, '/health/live');

      const statuses = [];
      for (let i = 0; i < 3; i += 1) statuses.push((await fetch(live)).status);

      expect(statuses).toEqual([200, 200, 200]);
    });
  });
});
