import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { loadConfig } from '../../../src/config.js';
import { bootstrapAdminFromConfig } from '../../../src/infra/auth/bootstrapAdminFromConfig.js';
import { createPostgresPool } from '../../../src/infra/postgres/postgresPool.js';
import { createLogger } from '../../../src/logger.js';
import type { Platform } from '../../../src/platform.js';
import { graphql } from '../../e2e/graphqlClient.js';
import { startTestPlatform } from '../../e2e/testPlatform.js';
import { createTestSchema, dropTestSchema, testServices } from '../../setup/testServices.js';
import { API_VERSION, LOGIN } from './authApi.js';

const schema = createTestSchema('auth_platform');
const EMAIL = 'first-admin@example.com';
const PASSWORD = 'a bootstrap password';
let platform: Platform;
let url: string;

beforeAll(async () => {
  platform = await startTestPlatform(schema, {
    roles: ['api'],
    env: {
      AUTH_DISABLED: 'false',
      JWT_SECRET: 'a platform secret of thirty-two bytes or more',
      BOOTSTRAP_ADMIN_EMAIL: EMAIL,
      BOOTSTRAP_ADMIN_PASSWORD: PASSWORD,
    },
  });
  url = platform.graphqlUrl as string;
});
afterAll(async () => {
  await platform?.stop();
  await dropTestSchema(testServices().databaseUrl, schema);
});

/** Opens a graphql-ws connection with this `connection_init` payload: whether the server took it. */
const connects = (connectionParams: Record<string, unknown>) =>
  new Promise<boolean>((resolve) => {
    const client = createClient({
      url: url.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      connectionParams,
      retryAttempts: 0,
      lazy: false,
      on: {
        connected: () => {
          resolve(true);
          void client.dispose();
        },
        closed: () => resolve(false),
        error: () => resolve(false),
      },
      onNonLazyError: () => resolve(false),
    });
  });

describe('authentication in the running platform', () => {
  it('creates the first admin from config, once, and that admin signs in over HTTP', async () => {
    const login = await graphql<{ login: { accessToken: string } }>(url, LOGIN, {
      email: EMAIL,
      password: PASSWORD,
    });
    expect(login.errors).toBeUndefined();
    const token = login.data?.login.accessToken as string;
    expect(await graphql(url, API_VERSION, {}, { authorization: `Bearer ${token}` })).toEqual({
      data: { apiVersion: expect.any(String) },
    });
    const config = loadConfig({ DATABASE_URL: testServices().databaseUrl, DATABASE_SCHEMA: schema });
    const pool = createPostgresPool({ connectionString: testServices().databaseUrl, schema, max: 1 });
    try {
      const again = await bootstrapAdminFromConfig({
        admin: { email: EMAIL, password: 'another password here' },
        eventStore: platform.eventStore,
        pool,
        logger: createLogger(config),
        now: () => new Date(),
      });
      expect(again).toBe('skipped');
    } finally {
      await pool.end();
    }
  });

  it('refuses a request with a bad token: authentication is on unless AUTH_DISABLED says otherwise', async () => {
    const answer = await graphql(url, API_VERSION, {}, { authorization: 'Bearer not.a.token' });
    expect(answer).toEqual({
      data: null,
      errors: [expect.objectContaining({ extensions: expect.objectContaining({ code: 'UNAUTHENTICATED' }) })],
    });
  });

  it('takes a subscription connection whose connection_init carries a valid token, and refuses a bad one', async () => {
    const login = await graphql<{ login: { accessToken: string } }>(url, LOGIN, {
      email: EMAIL,
      password: PASSWORD,
    });
    const token = login.data?.login.accessToken as string;
    expect(await connects({ authorization: `Bearer ${token}` })).toBe(true);
    expect(await connects({ authorization: 'Bearer not.a.token' })).toBe(false);
  });
});
