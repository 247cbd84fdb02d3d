import {
  buildSchema,
  type GraphQLField,
  type GraphQLInputType,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
} from 'graphql';
import mqemitter from 'mqemitter';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { ApiServices, Principal } from '../../src/api/apiServices.js';
import type { Authentication, Credentials } from '../../src/api/authentication.js';
import { type Api, buildApi } from '../../src/api/buildApi.js';
import { FIELD_ACTIONS, type FieldAction } from '../../src/api/fieldActions.js';
import { loadSchema } from '../../src/api/loadSchema.js';
import { decideAccess } from '../../src/domain/permissions/decideAccess.js';
import { ROLES, type Role } from '../../src/domain/users/roles.js';
import { createPostgresEventStore } from '../../src/infra/eventstore/postgresEventStore.js';
import { postgresEventStoreMigrations } from '../../src/infra/eventstore/postgresEventStoreMigrations.js';
import { migrate } from '../../src/infra/postgres/migrate.js';
import { createPostgresPool } from '../../src/infra/postgres/postgresPool.js';
import { createLogger } from '../../src/logger.js';
import { createTestSchema, dropTestSchema, testServices } from '../setup/testServices.js';
import { waitFor } from '../setup/waitFor.js';

const { databaseUrl } = testServices();
const dbSchema = createTestSchema('api_permission_matrix');
const pool = createPostgresPool({ connectionString: databaseUrl, schema: dbSchema, max: 4 });
const eventStore = createPostgresEventStore({ pool, schema: dbSchema });
const NOW = new Date('2026-03-01T09:00:00.000Z');
let ids = 0;
const services: ApiServices = {
  pool,
  eventStore,
  newId: () => `id-${++ids}`,
  now: () => NOW,
  secretCipher: null,
};

const schema = buildSchema(loadSchema());
type RootType = keyof typeof FIELD_ACTIONS;

// The principals of the walk, by the Authorization header a test sends: `Test <role>` is a
// user of that role (user id `u-<role>`), `Key <role> <pipeline>` an API key limited to one
// pipeline, none is anonymous. Authentication itself is tested elsewhere.
const principalOf = ({ authorization }: Credentials): Principal => {
  const [scheme, role, pipelineId] = authorization?.split(' ') ?? [];
  if (scheme === 'Test') return { kind: 'user', userId: `u-${role}`, role: role as Role, pipelineIds: null };
  if (scheme === 'Key') {
    return { kind: 'apiKey', userId: `u-${role}`, role: role as Role, pipelineIds: [pipelineId ?? ''] };
  }
  return { kind: 'anonymous', userId: null, role: null, pipelineIds: null };
};
const authentication: Authentication = {
  authenticate: async (credentials) => {
    const principal = principalOf(credentials);
    return { principal, actor: principal.userId ?? 'anonymous' };
  },
  sessionTokens: null,
};

/**
 * The smallest arguments GraphQL accepts for `field`: each required argument and input field
 * gets a value of its type, every id is `id` (so own-account actions are about the caller when
 * `id` is the caller's user id). Resolvers may still refuse them: only authorization's answer
 * matters here.
 */
const minimalValue = (type: GraphQLInputType, id: string): unknown => {
  if (isNonNullType(type)) return minimalValue(type.ofType, id);
  if (isListType(type)) return [];
  if (isEnumType(type)) return type.getValues()[0]?.value;
  if (isInputObjectType(type)) {
    const fields = Object.values(type.getFields());
    const chosen = type.isOneOf
      ? fields.slice(0, 1)
      : fields.filter((f) => isNonNullType(f.type) && f.defaultValue === undefined);
    return Object.fromEntries(chosen.map((f) => [f.name, minimalValue(f.type, id)]));
  }
  if (isScalarType(type)) {
    const scalars: Record<string, unknown> = {
      ID: id,
      String: 'x',
      Int: 1,
      Float: 1,
      Boolean: false,
      Long: 1,
      Position: '1',
      DateTime: NOW.toISOString(),
      ConnectorConfig: {},
    };
    return scalars[type.name] ?? 'x';
  }
  throw new Error(`no value for ${String(type)}`);
};

// biome-ignore lint/suspicious/noExplicitAny: any field of any root type
const operationOf = (type: RootType, field: GraphQLField<any, any>, id: string) => {
  const required = field.args.filter((arg) => isNonNullType(arg.type) && arg.defaultValue === undefined);
  const variables = Object.fromEntries(required.map((arg) => [arg.name, minimalValue(arg.type, id)]));
  const declared = required.map((arg) => `$${arg.name}: ${String(arg.type)}`).join(', ');
  const passed = required.map((arg) => `${arg.name}: $${arg.name}`).join(', ');
  const selection = isObjectType(getNamedType(field.type)) ? '{ __typename }' : '';
  const keyword = type === 'Query' ? 'query' : type === 'Mutation' ? 'mutation' : 'subscription';
  return {
    query: `${keyword}${declared ? `(${declared})` : ''} { ${field.name}${passed ? `(${passed})` : ''} ${selection} }`,
    variables,
  };
};

const fieldsOf = (type: RootType) => {
  const root =
    type === 'Query'
      ? schema.getQueryType()
      : type === 'Mutation'
        ? schema.getMutationType()
        : schema.getSubscriptionType();
  if (!root) throw new Error(`the schema has no ${type}`);
  return Object.values(root.getFields());
};

interface GraphQLError {
  message: string;
  extensions?: { code?: string };
}

// Refused by authorization, as opposed to a resolver refusing the input afterwards (a failed
// login answers with an UNAUTHENTICATED-category code of its own, INVALID_CREDENTIALS).
const refusal = (errors: readonly GraphQLError[] | undefined) =>
  errors?.find(
    (error) =>
      (error.extensions?.code === 'FORBIDDEN' || error.extensions?.code === 'UNAUTHENTICATED') &&
      /^Not (allowed|signed in): /.test(error.message),
  )?.extensions?.code ?? 'allowed';

const expectedOf = (principal: Principal, field: FieldAction, variables: Record<string, unknown>) => {
  const text = (value: unknown) => (typeof value === 'string' ? value : null);
  const decision = decideAccess(principal, field.action, {
    pipelineId: text(field.pipelineId?.(variables)),
    userId: text(field.userId?.(variables)),
  });
  return decision.allowed ? 'allowed' : decision.code;
};

let api: Api;
let url: string;

const post = async (authorization: string | undefined, query: string, variables: Record<string, unknown>) => {
  const response = await api.inject({
    method: 'POST',
    url: '/graphql',
    headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
    payload: { query, variables },
  });
  return response.json() as { data?: unknown; errors?: GraphQLError[] };
};

const headerOf = (role: Role) => `Test ${role}`;

beforeAll(async () => {
  await migrate(pool, dbSchema, postgresEventStoreMigrations);
  api = await buildApi({
    services,
    logger: createLogger({ logLevel: 'silent' }),
    emitter: mqemitter(),
    graphiql: false,
    authentication,
  });
  url = `${await api.listen({ host: '127.0.0.1', port: 0 })}/graphql`;
});

afterAll(async () => {
  await api?.close();
  await pool.end();
  await dropTestSchema(databaseUrl, dbSchema);
});

describe('the permission matrix, walked over the API', () => {
  it.each(ROLES.map((role) => [role]))(
    'answers every mutation for a %s as the matrix says: allowed, or FORBIDDEN',
    async (role) => {
      const principal = principalOf({ authorization: headerOf(role) });
      const answers: Record<string, string> = {};
      const expected: Record<string, string> = {};
      for (const field of fieldsOf('Mutation')) {
        const { query, variables } = operationOf('Mutation', field, `u-${role}`);
        const action = (FIELD_ACTIONS.Mutation as Record<string, FieldAction>)[field.name];
        if (!action) throw new Error(`Mutation.${field.name} has no action`);
        answers[field.name] = refusal((await post(headerOf(role), query, variables)).errors);
        expected[field.name] = expectedOf(principal, action, variables);
      }
      expect(answers).toEqual(expected);
    },
  );

  it.each(ROLES.map((role) => [role]))(
    'answers every query field for a %s as the matrix says',
    async (role) => {
      const principal = principalOf({ authorization: headerOf(role) });
      const answers: Record<string, string> = {};
      const expected: Record<string, string> = {};
      for (const field of fieldsOf('Query')) {
        const { query, variables } = operationOf('Query', field, `u-${role}`);
        const action = (FIELD_ACTIONS.Query as Record<string, FieldAction>)[field.name]!;
        answers[field.name] = refusal((await post(headerOf(role), query, variables)).errors);
        expected[field.name] = expectedOf(principal, action, variables);
      }
      expect(answers).toEqual(expected);
    },
  );

  it.each(ROLES.map((role) => [role]))(
    'answers every subscription for a %s as the matrix says, when it starts',
    async (role) => {
      const principal = principalOf({ authorization: headerOf(role) });
      const socket = await openSocket(url, { authorization: headerOf(role) });
      try {
        const expected: Record<string, string> = {};
        for (const field of fieldsOf('Subscription')) {
          const { query, variables } = operationOf('Subscription', field, `u-${role}`);
          const action = (FIELD_ACTIONS.Subscription as Record<string, FieldAction>)[field.name]!;
          expected[field.name] = expectedOf(principal, action, variables);
          socket.send({ id: field.name, type: 'subscribe', payload: { query, variables } });
        }
        // A refusal comes back at once; an allowed subscription says nothing until an event.
        const refusals = Object.values(expected).filter((answer) => answer !== 'allowed').length;
        await waitFor(
          async () => socket.received.filter((m) => m.type === 'error').length >= refusals,
          10_000,
        );
        await new Promise((resolve) => setTimeout(resolve, 300));
        const answers = Object.fromEntries(
          Object.keys(expected).map((name) => {
            const error = socket.received.find((m) => m.id === name && m.type === 'error');
            return [name, error ? refusal(error.payload as GraphQLError[]) : 'allowed'];
          }),
        );
        expect(answers).toEqual(expected);
      } finally {
        socket.close();
      }
    },
  );
});

describe('authorization beyond roles', () => {
  it('asks an anonymous caller to sign in for every mutation but the public ones', async () => {
    const anonymous = principalOf({});
    const answers: Record<string, string> = {};
    const expected: Record<string, string> = {};
    for (const field of fieldsOf('Mutation')) {
      const { query, variables } = operationOf('Mutation', field, 'u-anonymous');
      const action = (FIELD_ACTIONS.Mutation as Record<string, FieldAction>)[field.name]!;
      answers[field.name] = refusal((await post(undefined, query, variables)).errors);
      expected[field.name] = expectedOf(anonymous, action, variables);
    }

    expect(answers).toEqual(expected);
    expect(
      Object.entries(expected)
        .filter(([, answer]) => answer === 'allowed')
        .map(([name]) => name)
        .sort(),
    ).toEqual([
      'acceptInvitation',
      'bootstrapAdmin',
      'login',
      'logout',
      'refreshSession',
      'requestPasswordReset',
      'resetPassword',
      'verifyEmail',
    ]);
  });

  it('asks an anonymous caller to sign in, and lets them take the public actions', async () => {
    const activate = await post(undefined, 'mutation { activatePipeline(id: "p-1") { position } }', {});
    const verify = await post(
      undefined,
      'mutation { verifyEmail(input: { userId: "u-x", token: "t" }) { userId } }',
      {},
    );

    expect(activate).toEqual({
      data: null,
      errors: [
        expect.objectContaining({
          message: 'Not signed in: pipeline.activate needs a signed-in user or an API key',
          extensions: expect.objectContaining({ code: 'UNAUTHENTICATED' }),
        }),
      ],
    });
    expect(refusal(verify.errors)).toBe('allowed');
  });

  it('lets a role change its own password and no one else’s', async () => {
    const change = (userId: string) =>
      post(
        headerOf('viewer'),
        'mutation($userId: ID!) { changePassword(input: { userId: $userId, password: "x" }) { userId } }',
        { userId },
      );

    expect(refusal((await change('u-viewer')).errors)).toBe('allowed');
    expect(refusal((await change('u-admin')).errors)).toBe('FORBIDDEN');
  });

  it('keeps an API key limited to a pipeline to that pipeline', async () => {
    const pause = (pipelineId: string) =>
      post('Key executor p-mine', 'mutation($id: ID!) { pausePipeline(id: $id) { position } }', {
        id: pipelineId,
      });
    const runs = (pipelineId: string | null) =>
      post('Key executor p-mine', 'query($p: ID) { runs(pipelineId: $p) { totalCount } }', { p: pipelineId });

    expect(refusal((await pause('p-mine')).errors)).toBe('allowed');
    expect(refusal((await pause('p-other')).errors)).toBe('FORBIDDEN');
    expect(refusal((await runs('p-other')).errors)).toBe('FORBIDDEN');
    expect(refusal((await runs(null)).errors)).toBe('FORBIDDEN');
  });

  it('records a refusal in the audit log, with the actor and why', async () => {
    await post(headerOf('designer'), 'mutation { activatePipeline(id: "p-audited") { position } }', {});

    const stream = `security-${NOW.toISOString().slice(0, 10)}`;
    const denial = await waitFor(async () => {
      const events = await eventStore.readStream(stream);
      return events.find((event) => (event.data as { pipelineId?: string }).pipelineId === 'p-audited');
    }, 10_000);
    expect(denial).toMatchObject({
      type: 'AccessDenied',
      data: {
        actor: 'u-designer',
        principalKind: 'user',
        role: 'designer',
        action: 'pipeline.activate',
        reason: 'role designer may not pipeline.activate',
        pipelineId: 'p-audited',
        deniedAt: NOW.toISOString(),
      },
      metadata: { actor: 'u-designer' },
    });
  });
});

interface ProtocolMessage {
  id?: string;
  type: string;
  payload?: unknown;
}

/** A graphql-transport-ws connection spoken by hand, with credentials in `connection_init`. */
const openSocket = async (httpUrl: string, payload: Record<string, string>) => {
  const socket = new WebSocket(httpUrl.replace(/^http/, 'ws'), 'graphql-transport-ws');
  const received: ProtocolMessage[] = [];
  socket.on('message', (data) => received.push(JSON.parse(String(data)) as ProtocolMessage));
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  socket.send(JSON.stringify({ type: 'connection_init', payload }));
  await waitFor(async () => received.some((message) => message.type === 'connection_ack'), 10_000);
  // Mercurius marks the connection ready only once its ack is written, and closes one that subscribes before.
  await new Promise((resolve) => setTimeout(resolve, 100));
  return {
    received,
    send: (message: ProtocolMessage) => socket.send(JSON.stringify(message)),
    close: () => socket.close(),
  };
};
