import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Platform } from '../../../src/platform.js';
import { type GraphQLResponse, graphql, subscribe } from '../../e2e/graphqlClient.js';
import { startTestPlatform } from '../../e2e/testPlatform.js';
import {
  ACCEPT_INVITATION,
  CHANGE_USER_ROLE,
  DEACTIVATE_USER,
  INVITE_USER,
} from '../../e2e/usersAndConnectorsOperations.js';
import { createTestSchema, dropTestSchema, testServices, uniqueTopic } from '../../setup/testServices.js';
import { LOGIN } from './authApi.js';

const schema = createTestSchema('auth_subscription_principal');
const ADMIN = { email: 'admin@example.com', password: 'an admin password' };
const DEVELOPER = { email: 'dev@example.com', password: 'a developer password' };
const AUDIT_EVENTS = 'subscription { auditEvents { stream type } }';
const CREATE_PIPELINE = `mutation ($input: CreatePipelineInput!) { createPipeline(input: $input) { pipelineId } }`;
// The platform reads a user's state again at most this often (createAuthentication's cacheMs).
const USER_CACHE_MS = 5_000;

let platform: Platform;
let url: string;
let adminAuth: Record<string, string>;

const login = async (email: string, password: string) => {
  const answer = await graphql<{ login: { accessToken: string } }>(url, LOGIN, { email, password });
  expect(answer.errors).toBeUndefined();
  return `Bearer ${answer.data?.login.accessToken}`;
};
const asAdmin = async (query: string, variables: Record<string, unknown>) => {
  const answer = await graphql<Record<string, Record<string, string>>>(url, query, variables, adminAuth);
  expect(answer.errors).toBeUndefined();
  return Object.values(answer.data ?? {})[0] as Record<string, string>;
};
const createPipeline = async (name: string) =>
  (
    await asAdmin(CREATE_PIPELINE, {
      input: { name, source: { topic: uniqueTopic('in') }, steps: [], sink: { topic: uniqueTopic('out') } },
    })
  ).pipelineId as string;
const streamOf = (message: GraphQLResponse) =>
  (message.data?.auditEvents as { stream?: string } | undefined)?.stream;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  platform = await startTestPlatform(schema, {
    roles: ['api', 'projections'],
    env: {
      AUTH_DISABLED: 'false',
      JWT_SECRET: 'a platform secret of thirty-two bytes or more',
      BOOTSTRAP_ADMIN_EMAIL: ADMIN.email,
      BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password,
    },
  });
  url = platform.graphqlUrl as string;
  adminAuth = { authorization: await login(ADMIN.email, ADMIN.password) };
});
afterAll(async () => {
  await platform?.stop();
  await dropTestSchema(testServices().databaseUrl, schema);
});

describe('an open subscription follows its principal', () => {
  it('given a developer watching the audit log, when an admin demotes and then deactivates them, then events stop reaching them and the subscription ends', async () => {
    const invited = await asAdmin(INVITE_USER, { input: { email: DEVELOPER.email, role: 'developer' } });
    await asAdmin(ACCEPT_INVITATION, {
      input: { userId: invited.userId, token: invited.invitationToken, password: DEVELOPER.password },
    });
    const developerAuth = await login(DEVELOPER.email, DEVELOPER.password);
    const developer = subscribe(
      url,
      AUDIT_EVENTS,
      {},
      { connectionParams: { authorization: developerAuth } },
    );
    const admin = subscribe(url, AUDIT_EVENTS, {}, { connectionParams: adminAuth });
    await Promise.all([developer.ready, admin.ready]);

    // Given: as a developer, they hear of a new pipeline.
    const first = await createPipeline('Seen by the developer');
    await developer.next((message) => streamOf(message) === `pipeline-${first}`);

    // When the admin makes them a viewer (who may not read the audit log), then, once the
    // platform has read the user again, the next pipeline reaches the admin and not them.
    await asAdmin(CHANGE_USER_ROLE, { id: invited.userId, role: 'viewer' });
    await sleep(USER_CACHE_MS + 500);
    const second = await createPipeline('Hidden from the viewer');
    await admin.next((message) => streamOf(message) === `pipeline-${second}`);
    // The developer's connection is checked on the same delivery; give it a moment beyond the admin's.
    await sleep(1_000);
    expect(developer.received.map(streamOf)).not.toContain(`pipeline-${second}`);

    // When the admin deactivates them, the next delivery ends their subscription as unauthenticated.
    await asAdmin(DEACTIVATE_USER, { id: invited.userId });
    await sleep(USER_CACHE_MS + 500);
    await createPipeline('After the deactivation');
    const ended = await developer.next((message) => message.errors !== undefined);
    expect(ended.errors?.[0]).toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });

    await Promise.all([developer.close(), admin.close()]);
  });
});
