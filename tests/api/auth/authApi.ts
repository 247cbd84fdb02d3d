import { randomBytes } from 'node:crypto';
import mqemitter from 'mqemitter';
import { expect } from 'vitest';
import { createAuthentication } from '../../../src/api/authentication.js';
import { type Api, buildApi } from '../../../src/api/buildApi.js';
import { userIdForEmail } from '../../../src/api/resolvers/userInput.js';
import { type UserCommand, userDecider, userStreamId } from '../../../src/domain/users/user.js';
import { createAccessTokens } from '../../../src/infra/auth/accessTokens.js';
import { hashPassword } from '../../../src/infra/crypto/passwordHasher.js';
import { createSecretCipher } from '../../../src/infra/crypto/secretCipher.js';
import { handleCommand } from '../../../src/infra/eventstore/handleCommand.js';
import { createPostgresEventStore } from '../../../src/infra/eventstore/postgresEventStore.js';
import { postgresEventStoreMigrations } from '../../../src/infra/eventstore/postgresEventStoreMigrations.js';
import { migrate } from '../../../src/infra/postgres/migrate.js';
import { createPostgresPool } from '../../../src/infra/postgres/postgresPool.js';
import { createLogger } from '../../../src/logger.js';
import { createTestSchema, dropTestSchema, testServices } from '../../setup/testServices.js';

export const JWT_SECRET = new TextEncoder().encode('a test secret of at least thirty-two bytes');
export const PASSWORD = 'correct horse battery';

/**
 * The API with authentication on, on its own schema, with a clock the test moves. Users are
 * made by commands straight to the event store: what the API does at login is under test, not
 * how users come to be.
 */
export const startAuthApi = async (name: string) => {
  const { databaseUrl } = testServices();
  const schema = createTestSchema(name);
  const pool = createPostgresPool({ connectionString: databaseUrl, schema, max: 4 });
  const eventStore = createPostgresEventStore({ pool, schema });
  await migrate(pool, schema, postgresEventStoreMigrations);
  const clock = { now: new Date('2026-03-01T09:00:00.000Z') };
  let ids = 0;
  const secretCipher = createSecretCipher({ keys: { k1: randomBytes(32) }, activeKeyId: 'k1' });
  const accessTokens = createAccessTokens({ secret: JWT_SECRET, ttlSeconds: 900 });
  const authentication = createAuthentication({
    accessTokens,
    refreshTokenTtlSeconds: 86_400,
    eventStore,
    now: () => clock.now,
    cacheMs: 0,
  });
  const api: Api = await buildApi({
    services: {
      pool,
      eventStore,
      newId: () => `00000000-0000-4000-8000-${String(++ids).padStart(12, '0')}`,
      now: () => clock.now,
      secretCipher,
    },
    logger: createLogger({ logLevel: 'silent' }),
    emitter: mqemitter(),
    graphiql: false,
    authentication,
  });
  const userCommand = (command: UserCommand) =>
    handleCommand(eventStore, userDecider, userStreamId(command.data.userId), command, {
      actor: 'test',
      occurredAt: clock.now.toISOString(),
    });
  return {
    api,
    eventStore,
    secretCipher,
    authentication,
    clock,
    advanceMinutes(minutes: number) {
      clock.now = new Date(clock.now.getTime() + minutes * 60_000);
    },
    userCommand,
    async createAdmin(email: string) {
      const userId = userIdForEmail(email);
      await userCommand({
        type: 'BootstrapAdmin',
        data: {
          userId,
          email,
          passwordHash: await hashPassword(PASSWORD),
          bootstrappedAt: clock.now.toISOString(),
        },
      });
      return userId;
    },
    async send(query: string, variables: Record<string, unknown> = {}, headers: Record<string, string> = {}) {
      const response = await api.inject({
        method: 'POST',
        url: '/graphql',
        payload: { query, variables },
        headers,
      });
      return response.json() as { data: Record<string, Record<string, string>> | null; errors?: unknown[] };
    },
    async stop() {
      await api.close();
      await eventStore.close();
      await pool.end();
      await dropTestSchema(databaseUrl, schema);
    },
  };
};

export type AuthApi = Awaited<ReturnType<typeof startAuthApi>>;

export const LOGIN = `mutation ($email: String!, $password: String!, $totpCode: String) {
  login(email: $email, password: $password, totpCode: $totpCode) {
    userId role accessToken accessTokenExpiresAt refreshToken refreshTokenExpiresAt
  }
}`;
export const REFRESH = `mutation ($refreshToken: String!) {
  refreshSession(refreshToken: $refreshToken) { userId accessToken refreshToken refreshTokenExpiresAt }
}`;
export const LOGOUT =
  'mutation ($refreshToken: String!) { logout(refreshToken: $refreshToken) { position } }';
export const API_VERSION = '{ apiVersion }';

export interface SessionAnswer {
  userId: string;
  role: string;
  accessToken: string;
  accessTokenExpiresAt: string;
  refreshToken: string;
  refreshTokenExpiresAt: string;
}

/** The session in an answer's `field` (login, refreshSession); throws when the answer has none. */
export const sessionOf = (answer: { data: Record<string, unknown> | null }, field: string): SessionAnswer => {
  const session = answer.data?.[field];
  if (!session) throw new Error(`no ${field} in ${JSON.stringify(answer)}`);
  return session as SessionAnswer;
};

/** The code of the first error of an answer. */
export const codeOf = (answer: { errors?: unknown[] }) =>
  (answer.errors?.[0] as { extensions?: { code?: string } } | undefined)?.extensions?.code;

/** A refused request: no data, one error with this code. */
export const refusedWith = (code: string) => ({
  data: null,
  errors: [expect.objectContaining({ extensions: expect.objectContaining({ code }) })],
});
