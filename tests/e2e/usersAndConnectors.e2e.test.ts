import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Platform } from '../../src/platform.js';
import { type SmtpReceiver, startSmtpReceiver } from '../setup/smtpReceiver.js';
import { createTestSchema, dropTestSchema, testServices } from '../setup/testServices.js';
import { waitFor } from '../setup/waitFor.js';
import { type GraphQLResponse, graphql } from './graphqlClient.js';
import { startTestPlatform } from './testPlatform.js';
import {
  ACCEPT_INVITATION,
  BOOTSTRAP_ADMIN,
  CHANGE_PASSWORD,
  CHANGE_USER_ROLE,
  CONNECTOR,
  CONNECTORS,
  CREATE_CONNECTOR,
  DEACTIVATE_USER,
  DELETE_CONNECTOR,
  failure,
  INVITE_USER,
  ISSUE_API_KEY,
  POSITION,
  REACTIVATE_USER,
  RECORD_CONNECTION_TEST,
  REQUEST_EMAIL_VERIFICATION,
  REVOKE_API_KEY,
  TIME,
  UNLOCK_USER,
  UPDATE_CONNECTOR_CONFIG,
  USER,
  USERS,
  VERIFY_EMAIL,
} from './usersAndConnectorsOperations.js';

type Data = Record<string, Record<string, unknown> | null>;
type Node = { id: string; position: string } & Record<string, unknown>;
type Page = {
  edges: { cursor: string; node: Node }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  totalCount: number;
};

/** Every secret this file sends in; none may ever come out of a query. */
const sentSecrets = new Set<string>();
const secret = (value: string) => {
  sentSecrets.add(value);
  return value;
};

const services = testServices();
const schema = createTestSchema('e2e_users_connectors');
const bareSchema = createTestSchema('e2e_no_secrets');
let platform: Platform;
let bare: Platform;
let url: string;
let smtp: SmtpReceiver;

const start = (databaseSchema: string, secrets: Record<string, string>) =>
  startTestPlatform(databaseSchema, { env: secrets, roles: ['api', 'projections'] });

beforeAll(async () => {
  smtp = await startSmtpReceiver();
  platform = await start(schema, {
    SECRETS_KEYS: `k1:${randomBytes(32).toString('base64')}`,
    MAIL_SMTP_URL: smtp.url,
    MAIL_FROM: 'Tributary <tributary@example.com>',
  });
  url = platform.graphqlUrl!;
  bare = await start(bareSchema, {});
});

afterAll(async () => {
  await platform?.stop();
  await bare?.stop();
  await smtp?.close();
  await dropTestSchema(services.databaseUrl, schema);
  await dropTestSchema(services.databaseUrl, bareSchema);
});

const send = async <Result = Record<string, unknown>>(
  query: string,
  variables: Record<string, unknown>,
  headers: Record<string, string> = {},
) => {
  const response = await graphql<Record<string, Result>>(url, query, variables, headers);
  expect(response.errors).toBeUndefined();
  return Object.values(response.data ?? {})[0] as Result;
};

/**
 * Reads `field` until the read model has caught up with `position` (read models are eventually
 * consistent), and returns the whole response.
 */
const readAt = async (query: string, variables: Record<string, unknown>, position: string) =>
  waitFor(async () => {
    const response = await graphql<Data>(url, query, variables);
    const node = Object.values(response.data ?? {})[0] as { position?: string } | null;
    return node?.position && BigInt(node.position) >= BigInt(position) ? response : null;
  });

const pageOf = async (query: string, variables: Record<string, unknown>) => {
  const response = await graphql<Record<string, Page>>(url, query, variables);
  return { response, page: Object.values(response.data ?? {})[0] as Page };
};

/** Follows `endCursor` from the first page to the last, checking each page's shape on the way. */
const walkPages = async (query: string, variables: Record<string, unknown>, first: number) => {
  const nodes: Node[] = [];
  let after: string | null = null;
  for (let pages = 1; ; pages++) {
    const { response, page } = await pageOf(query, { ...variables, first, after });
    expect(response.errors).toBeUndefined();
    expect(page.edges.length).toBeLessThanOrEqual(first);
    expect(page.pageInfo.endCursor).toBe(page.edges.at(-1)?.cursor ?? null);
    nodes.push(...page.edges.map((edge) => edge.node));
    if (!page.pageInfo.hasNextPage) return { nodes, pages, totalCount: page.totalCount };
    after = page.pageInfo.endCursor;
    expect(pages).toBeLessThan(50);
  }
};

const noKeys = { apiKeys: [] };
const neverHappened = {
  lastLoginAt: null,
  lastFailedLoginAt: null,
  failedLoginCount: 0,
  lockedUntil: null,
  deactivatedAt: null,
};

describe('users over GraphQL', () => {
  let adminId: string;

  it('bootstraps the first admin once, then refuses another', async () => {
    const password = secret('first admin password');
    const created = await send<{ userId: string; position: string }>(BOOTSTRAP_ADMIN, {
      input: { email: ' Root@Example.com ', password },
    });
    expect(created).toEqual({ userId: expect.any(String), position: POSITION });
    adminId = created.userId;

    expect(await readAt(USER, { id: adminId }, created.position)).toEqual({
      data: {
        user: {
          id: adminId,
          email: 'root@example.com',
          role: 'admin',
          status: 'active',
          emailVerified: false,
          createdAt: TIME,
          invitedAt: null,
          invitationExpiresAt: null,
          acceptedAt: null,
          emailVerificationRequestedAt: null,
          emailVerificationExpiresAt: null,
          emailVerifiedAt: null,
          passwordChangedAt: TIME,
          ...neverHappened,
          updatedAt: TIME,
          position: created.position,
          ...noKeys,
        },
      },
    });

    expect(
      await graphql(url, BOOTSTRAP_ADMIN, {
        input: { email: 'other@example.com', password: 'another password' },
      }),
    ).toEqual(
      failure(
        'bootstrapAdmin',
        'USER_ALREADY_EXISTS',
        'CONFLICT',
        'The platform already has users; bootstrapAdmin only creates the first admin',
      ),
    );
  });

  it("verifies the admin's e-mail address with the token mailed to it, which the request never returns", async () => {
    const requested = await send<{ userId: string; position: string; expiresAt: string }>(
      REQUEST_EMAIL_VERIFICATION,
      { id: adminId },
    );
    expect(requested).toEqual({ userId: adminId, position: POSITION, expiresAt: TIME });
    await waitFor(async () => smtp.mails.length === 1);
    const [mail] = smtp.mails;
    expect(mail?.from).toBe('tributary@example.com');
    expect(mail?.to).toEqual([expect.stringMatching(/^root@example\.com$/i)]);
    const token = /^token: ([A-Za-z0-9_-]{43})\r?$/m.exec(mail?.raw ?? '')?.[1];
    expect(token).toBeDefined();
    const verificationToken = secret(token as string);
    expect(
      await graphql(url, 'mutation { requestEmailVerification(id: "x") { verificationToken } }', {}),
    ).toMatchObject({
      errors: [{ message: expect.stringContaining('Cannot query field "verificationToken"') }],
    });

    expect(await graphql(url, VERIFY_EMAIL, { input: { userId: adminId, token: 'not the token' } })).toEqual(
      failure('verifyEmail', 'INVALID_TOKEN', 'UNAUTHENTICATED', 'The token is not valid'),
    );
    const verified = await send<{ position: string }>(VERIFY_EMAIL, {
      input: { userId: adminId, token: verificationToken },
    });
    expect(verified).toEqual({ userId: adminId, position: POSITION });

    const read = await readAt(USER, { id: adminId }, verified.position);
    expect(read.data?.user).toMatchObject({
      emailVerified: true,
      emailVerificationRequestedAt: TIME,
      emailVerificationExpiresAt: null,
      emailVerifiedAt: TIME,
    });
    expect(await graphql(url, REQUEST_EMAIL_VERIFICATION, { id: adminId })).toEqual(
      failure(
        'requestEmailVerification',
        'EMAIL_ALREADY_VERIFIED',
        'CONFLICT',
        'The e-mail address is already verified',
      ),
    );
  });

  it('invites a user, who accepts with the token, and whose role, password and activation an admin changes', async () => {
    const invited = await send<{ userId: string; position: string; invitationToken: string }>(INVITE_USER, {
      input: { email: 'ada@example.com', role: 'developer' },
    });
    expect(invited).toEqual({
      userId: expect.any(String),
      position: POSITION,
      invitationToken: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      invitationExpiresAt: TIME,
    });
    const { userId } = invited;
    secret(invited.invitationToken);
    const pending = await readAt(USER, { id: userId }, invited.position);
    expect(pending.data?.user).toMatchObject({
      email: 'ada@example.com',
      role: 'developer',
      status: 'invited',
      invitedAt: TIME,
      invitationExpiresAt: TIME,
      passwordChangedAt: null,
    });

    const password = secret('ada first password');
    expect(await graphql(url, ACCEPT_INVITATION, { input: { userId, token: 'forged', password } })).toEqual(
      failure('acceptInvitation', 'INVALID_TOKEN', 'UNAUTHENTICATED', 'The token is not valid'),
    );
    expect(
      await graphql(url, ACCEPT_INVITATION, {
        input: { userId, token: invited.invitationToken, password: 'short' },
      }),
    ).toEqual(
      failure(
        'acceptInvitation',
        'VALIDATION_FAILED',
        'VALIDATION',
        'Invalid input: password: must be 10 to 256 characters',
        [{ path: 'password', message: 'must be 10 to 256 characters' }],
      ),
    );
    const accepted = await send<{ position: string }>(ACCEPT_INVITATION, {
      input: { userId, token: invited.invitationToken, password },
    });
    expect(accepted).toEqual({ userId, position: POSITION });
    expect(await graphql(url, INVITE_USER, { input: { email: 'ADA@example.com', role: 'viewer' } })).toEqual(
      failure('inviteUser', 'USER_ALREADY_EXISTS', 'CONFLICT', 'A user with this id already exists'),
    );

    const promoted = await send<{ position: string }>(CHANGE_USER_ROLE, { id: userId, role: 'designer' });
    expect(promoted).toEqual({ userId, position: POSITION });
    const changed = await send<{ position: string }>(CHANGE_PASSWORD, {
      input: { userId, password: secret('ada second password') },
    });
    expect(changed).toEqual({ userId, position: POSITION });
    // Not locked, so there is nothing to unlock: no event, no position.
    expect(await send(UNLOCK_USER, { id: userId })).toEqual({ userId, position: null });

    const active = await readAt(USER, { id: userId }, changed.position);
    expect(active).toEqual({
      data: {
        user: {
          id: userId,
          email: 'ada@example.com',
          role: 'designer',
          status: 'active',
          emailVerified: true,
          createdAt: TIME,
          invitedAt: TIME,
          invitationExpiresAt: null,
          acceptedAt: TIME,
          emailVerificationRequestedAt: null,
          emailVerificationExpiresAt: null,
          emailVerifiedAt: TIME,
          passwordChangedAt: TIME,
          ...neverHappened,
          updatedAt: TIME,
          position: changed.position,
          ...noKeys,
        },
      },
    });

    const deactivated = await send<{ position: string }>(DEACTIVATE_USER, { id: userId });
    expect(deactivated).toEqual({ userId, position: POSITION });
    expect((await readAt(USER, { id: userId }, deactivated.position)).data?.user).toMatchObject({
      status: 'deactivated',
      deactivatedAt: TIME,
    });
    expect(await graphql(url, CHANGE_PASSWORD, { input: { userId, password: 'a third password' } })).toEqual(
      failure('changePassword', 'USER_DEACTIVATED', 'CONFLICT', 'The user is deactivated'),
    );
    const reactivated = await send<{ position: string }>(REACTIVATE_USER, { id: userId });
    expect((await readAt(USER, { id: userId }, reactivated.position)).data?.user).toMatchObject({
      status: 'active',
      deactivatedAt: null,
    });
  });

  it('issues an API key shown once, lists only its prefix, and revokes it', async () => {
    const headers = { 'idempotency-key': `issue-${randomBytes(4).toString('hex')}` };
    const input = { userId: adminId, name: 'CI deploys', role: 'developer', pipelineIds: ['p-1'] };
    const issued = await send<{ keyId: string; key: string; prefix: string; position: string }>(
      ISSUE_API_KEY,
      { input },
      headers,
    );
    expect(issued).toEqual({
      userId: adminId,
      keyId: expect.any(String),
      position: POSITION,
      key: expect.stringMatching(/^trb_[A-Za-z0-9_-]{43}$/),
      prefix: issued.key.slice(0, 12),
    });
    secret(issued.key);
    // Sent again with the same Idempotency-Key: the same key, but it cannot be shown twice.
    expect(await send(ISSUE_API_KEY, { input }, headers)).toEqual({ ...issued, key: null });

    const listed = await readAt(USER, { id: adminId }, issued.position);
    expect(listed.data?.user?.apiKeys).toEqual([
      {
        id: issued.keyId,
        name: 'CI deploys',
        role: 'developer',
        pipelineIds: ['p-1'],
        prefix: issued.prefix,
        createdAt: TIME,
        revokedAt: null,
        revokedReason: null,
      },
    ]);

    const revoked = await send<{ position: string }>(REVOKE_API_KEY, {
      userId: adminId,
      keyId: issued.keyId,
    });
    expect(revoked).toEqual({ userId: adminId, keyId: issued.keyId, position: POSITION });
    const after = await readAt(USER, { id: adminId }, revoked.position);
    expect(after.data?.user?.apiKeys).toEqual([
      expect.objectContaining({ id: issued.keyId, revokedAt: TIME, revokedReason: 'revoked' }),
    ]);
    expect(await graphql(url, REVOKE_API_KEY, { userId: adminId, keyId: 'no-such-key' })).toEqual(
      failure('revokeApiKey', 'API_KEY_NOT_FOUND', 'NOT_FOUND', 'The user has no API key with this id'),
    );
  });

  it('answers an unknown user with null, and a command on one with USER_NOT_FOUND', async () => {
    expect(await graphql(url, USER, { id: 'nobody' })).toEqual({ data: { user: null } });
    expect(await graphql(url, DEACTIVATE_USER, { id: 'nobody' })).toEqual(
      failure('deactivateUser', 'USER_NOT_FOUND', 'NOT_FOUND', 'No user has this id'),
    );
  });

  it('pages through users by cursor, filtered and ordered, every user exactly once', async () => {
    const emails = [
      'walker-c@example.com',
      'walker-a@example.com',
      'walker-e@example.com',
      'walker-b@example.com',
      'walker-d@example.com',
    ];
    for (const email of emails) await send(INVITE_USER, { input: { email, role: 'viewer' } });
    const filter = { search: 'WALKER-', status: 'invited', role: 'viewer' };
    await waitFor(async () => (await pageOf(USERS, { filter, first: 0 })).page.totalCount === emails.length);

    const walked = await walkPages(USERS, { filter, orderBy: { field: 'EMAIL', direction: 'DESC' } }, 2);
    expect(walked.nodes.map((node) => node.email)).toEqual([...emails].sort().reverse());
    expect(walked.pages).toBe(3);
    expect(walked.totalCount).toBe(5);

    const first = await pageOf(USERS, { filter, first: 2 });
    expect(first.page.totalCount).toBe(5);
    // A cursor belongs to one order; another order refuses it rather than paging from the wrong place.
    const wrongOrder = await graphql(url, USERS, {
      filter,
      first: 2,
      after: first.page.pageInfo.endCursor,
      orderBy: { field: 'EMAIL' },
    });
    const badCursor = (response: GraphQLResponse, field: string, path: string, message: string) =>
      expect(response).toEqual(
        failure(field, 'VALIDATION_FAILED', 'VALIDATION', `Invalid input: ${path}: ${message}`, [
          { path, message },
        ]),
      );
    const refused = 'is not a cursor of this list in this order; start again without after';
    badCursor(wrongOrder, 'users', 'after', refused);
    badCursor(await graphql(url, USERS, { after: 'garbage' }), 'users', 'after', refused);
    badCursor(
      await graphql(url, USERS, { first: 101 }),
      'users',
      'first',
      'must be a whole number from 0 to 100',
    );
  });
});

describe('connectors over GraphQL', () => {
  const kafkaSource = (password: string) => ({
    name: 'Orders in',
    direction: 'source',
    kind: 'kafka_topic',
    config: {
      topic: 'orders',
      format: 'json',
      brokers: ['kafka-1.example.com:9092'],
      sasl: { mechanism: 'scram-sha-512', username: 'tributary', password: secret(password) },
    },
  });

  it('creates a connector whose secrets come back masked, keeps or replaces them on update, tests and deletes it', async () => {
    const created = await send<{ connectorId: string; position: string }>(CREATE_CONNECTOR, {
      input: kafkaSource('kafka-password-1'),
    });
    expect(created).toEqual({ connectorId: expect.any(String), position: POSITION });
    const id = created.connectorId;
    const masked = { masked: true, keyId: 'k1' };
    const config = (password: unknown) => ({
      topic: 'orders',
      format: 'json',
      brokers: ['kafka-1.example.com:9092'],
      sasl: { mechanism: 'scram-sha-512', username: 'tributary', password },
    });

    expect(await readAt(CONNECTOR, { id }, created.position)).toEqual({
      data: {
        connector: {
          id,
          name: 'Orders in',
          direction: 'source',
          kind: 'kafka_topic',
          config: config(masked),
          configVersion: 1,
          lastTest: null,
          deleted: false,
          deletedAt: null,
          createdAt: TIME,
          updatedAt: TIME,
          position: created.position,
        },
      },
    });

    // A changed topic, the stored password kept.
    const kept = await send<{ position: string }>(UPDATE_CONNECTOR_CONFIG, {
      id,
      config: { ...config({ keep: true }), topic: 'orders.v2' },
    });
    expect(kept).toEqual({ connectorId: id, position: POSITION });
    expect((await readAt(CONNECTOR, { id }, kept.position)).data?.connector).toMatchObject({
      config: { ...config(masked), topic: 'orders.v2' },
      configVersion: 2,
    });
    const replaced = await send<{ position: string }>(UPDATE_CONNECTOR_CONFIG, {
      id,
      config: config(secret('kafka-password-2')),
    });

    const tested = await send<{ position: string }>(RECORD_CONNECTION_TEST, {
      input: { connectorId: id, configVersion: 3, outcome: 'failed', message: 'SASL authentication failed' },
    });
    expect(tested).toEqual({ connectorId: id, position: POSITION });
    // A result for a config that has changed since describes nothing current.
    expect(
      await send(RECORD_CONNECTION_TEST, { input: { connectorId: id, configVersion: 2, outcome: 'ok' } }),
    ).toEqual({ connectorId: id, position: null });
    expect((await readAt(CONNECTOR, { id }, tested.position)).data?.connector).toMatchObject({
      config: config(masked),
      configVersion: 3,
      lastTest: { outcome: 'failed', message: 'SASL authentication failed', testedAt: TIME },
      position: tested.position,
    });
    expect(BigInt(tested.position)).toBeGreaterThan(BigInt(replaced.position));

    const deleted = await send<{ position: string }>(DELETE_CONNECTOR, { id });
    expect(deleted).toEqual({ connectorId: id, position: POSITION });
    expect((await readAt(CONNECTOR, { id }, deleted.position)).data?.connector).toMatchObject({
      deleted: true,
      deletedAt: TIME,
    });
    const listed = async (includeDeleted: boolean) =>
      (await walkPages(CONNECTORS, { filter: { kind: 'kafka_topic', includeDeleted } }, 10)).nodes.map(
        (n) => n.id,
      );
    expect(await listed(false)).not.toContain(id);
    expect(await listed(true)).toContain(id);
    expect(await graphql(url, DELETE_CONNECTOR, { id })).toEqual(
      failure('deleteConnector', 'CONNECTOR_DELETED', 'NOT_FOUND', 'The connector has been deleted'),
    );
  });

  it('rejects a bad config by field path, and a secret field given anything but text, writing nothing', async () => {
    const before = await platform.eventStore.headPosition();
    const message = 'must be 1 to 249 characters of letters, digits, ".", "_" or "-"';
    expect(
      await graphql(url, CREATE_CONNECTOR, {
        input: { ...kafkaSource('kafka-password-3'), config: { topic: 'no spaces', format: 'json' } },
      }),
    ).toEqual(
      failure(
        'createConnector',
        'VALIDATION_FAILED',
        'VALIDATION',
        `Invalid input: config.topic: ${message}`,
        [{ path: 'config.topic', message }],
      ),
    );
    const planted = {
      alg: 'AES-256-GCM',
      keyId: 'k1',
      iv: 'AAECAwQFBgcICQoL',
      tag: 'AAECAwQFBgcICQoLDA0ODw==',
      ciphertext: 'AA==',
    };
    const secretMessage = 'is a secret: give it as text, or as { "keep": true } to keep the stored one';
    expect(
      await graphql(url, CREATE_CONNECTOR, {
        input: {
          name: 'Planted',
          direction: 'sink',
          kind: 'postgres_table',
          config: { connectionString: planted, table: 'orders', keyColumns: ['id'] },
        },
      }),
    ).toEqual(
      failure(
        'createConnector',
        'VALIDATION_FAILED',
        'VALIDATION',
        `Invalid input: config.connectionString: ${secretMessage}`,
        [{ path: 'config.connectionString', message: secretMessage }],
      ),
    );
    expect(await graphql(url, UPDATE_CONNECTOR_CONFIG, { id: 'no-such-connector', config: {} })).toEqual(
      failure('updateConnectorConfig', 'CONNECTOR_NOT_FOUND', 'NOT_FOUND', 'No connector has this id'),
    );
    expect(await platform.eventStore.headPosition()).toBe(before);
  });

  it('refuses secret fields with SECRETS_NOT_CONFIGURED where no key is configured, but takes a connector without any', async () => {
    const bareUrl = bare.graphqlUrl!;
    expect(await graphql(bareUrl, CREATE_CONNECTOR, { input: kafkaSource('kafka-password-4') })).toEqual(
      failure(
        'createConnector',
        'SECRETS_NOT_CONFIGURED',
        'VALIDATION',
        'The connector has secret fields, and no key is configured to encrypt them: set SECRETS_KEYS',
        [
          {
            path: 'config.sasl.password',
            message: 'is a secret, and no key is configured to encrypt it (SECRETS_KEYS)',
          },
        ],
      ),
    );
    const plain = await graphql<{ createConnector: unknown }>(bareUrl, CREATE_CONNECTOR, {
      input: { name: 'Uploads', direction: 'source', kind: 'file_upload', config: { format: 'csv' } },
    });
    expect(plain).toEqual({
      data: { createConnector: { connectorId: expect.any(String), position: POSITION } },
    });
  });

  it('pages through connectors by cursor, filtered and ordered, every one exactly once', async () => {
    const names = ['Upload 3', 'Upload 1', 'Upload 5', 'Upload 2', 'Upload 4', 'Upload 7', 'Upload 6'];
    for (const name of names) {
      await send(CREATE_CONNECTOR, {
        input: { name, direction: 'source', kind: 'file_upload', config: { format: 'ndjson' } },
      });
    }
    const filter = { kind: 'file_upload', direction: 'source' };
    await waitFor(
      async () => (await pageOf(CONNECTORS, { filter, first: 0 })).page.totalCount === names.length,
    );

    const byName = await walkPages(CONNECTORS, { filter, orderBy: { field: 'NAME' } }, 3);
    expect(byName.nodes.map((node) => node.name)).toEqual([...names].sort());
    expect(byName).toMatchObject({ pages: 3, totalCount: 7 });
    const newestFirst = await walkPages(CONNECTORS, { filter, orderBy: { direction: 'DESC' } }, 4);
    // Two creates in the same millisecond tie on createdAt, and the id breaks the tie.
    const byTimeThenId = (a: Node, b: Node) =>
      String(b.createdAt).localeCompare(String(a.createdAt)) || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
    expect(newestFirst.nodes).toEqual([...byName.nodes].sort(byTimeThenId));
    expect(newestFirst).toMatchObject({ pages: 2, totalCount: 7 });
  });
});

describe('secrets', () => {
  it('never come back out of any query', async () => {
    const everything = JSON.stringify([
      await walkPages(USERS, {}, 100),
      await walkPages(CONNECTORS, { filter: { includeDeleted: true } }, 100),
    ]);
    expect(sentSecrets.size).toBeGreaterThanOrEqual(8);
    for (const sent of sentSecrets) expect(everything).not.toContain(sent);
    for (const trace of ['ciphertext', 'AES-256-GCM', 'keyHash', '$scrypt$'])
      expect(everything).not.toContain(trace);
  });
});
