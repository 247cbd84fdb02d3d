import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSecretCipher } from '../../src/infra/crypto/secretCipher.js';
import type { Platform } from '../../src/platform.js';
import { startNotifier } from '../../src/processors/alerts/notifier.js';
import { signWebhookBody } from '../../src/processors/alerts/webhookSender.js';
import { webhookReceiver } from '../processors/alerts/notifierTestBed.js';
import { createTestSchema, dropTestSchema, testServices } from '../setup/testServices.js';
import { waitFor } from '../setup/waitFor.js';
import { graphql } from './graphqlClient.js';
import { startTestPlatform } from './testPlatform.js';
import { failure, POSITION, TIME } from './usersAndConnectorsOperations.js';

const CREATE = `mutation ($input: NotificationChannelInput!) {
  createNotificationChannel(input: $input) { channelId position }
}`;
const UPDATE = `mutation ($id: ID!, $input: NotificationChannelInput!) {
  updateNotificationChannel(id: $id, input: $input) { channelId position }
}`;
const DELETE = 'mutation ($id: ID!) { deleteNotificationChannel(id: $id) { channelId position } }';
const TEST = `mutation ($id: ID!) {
  testNotificationChannel(id: $id) {
    id channelId alertId trigger status attempts lastStatusCode lastError reason createdAt updatedAt position
  }
}`;
const CHANNEL = `query ($id: ID!, $at: Position) {
  notificationChannel(id: $id, consistentWith: $at) {
    id name kind deleted createdBy updatedBy position
    webhook { url headers { name value } signingSecret }
    email { addresses }
    deliveries { id trigger status attempts lastStatusCode }
  }
}`;
const CHANNELS = `query ($includeDeleted: Boolean, $at: Position) {
  notificationChannels(includeDeleted: $includeDeleted, consistentWith: $at) { name kind deleted }
}`;

const CREATE_RULE = `mutation ($input: CreateAlertRuleInput!) { createAlertRule(input: $input) { ruleId position } }`;
const FIRE = 'mutation ($input: FireAlertInput!) { fireAlert(input: $input) { alertId position } }';
const ALERT_DELIVERIES = `query ($id: ID!) {
  alert(id: $id) { deliveries { channelId alertId trigger status attempts } }
}`;

const SECRET = 'whsec-e2e-0123456789abcdef';
const services = testServices();
const schema = createTestSchema('e2e_channels');
let platform: Platform;
let url: string;
let receiver: Awaited<ReturnType<typeof webhookReceiver>>;

type Data = Record<string, Record<string, unknown> | null>;
const send = async (query: string, variables: Record<string, unknown> = {}) => {
  const response = await graphql<Data>(url, query, variables);
  expect(response.errors).toBeUndefined();
  return response.data!;
};

const secretsKey = randomBytes(32);
let notifier: { stop(): Promise<void> } | undefined;

beforeAll(async () => {
  receiver = await webhookReceiver([200]);
  platform = await startTestPlatform(schema, {
    kafka: true,
    env: { SECRETS_KEYS: `k1:${secretsKey.toString('base64')}` },
  });
  url = platform.graphqlUrl!;
  // The processors role starts the notifier once alerting is wired in (task D2); the test starts
  // one in the platform's consumer group, so a second one there would share the work, not repeat it.
  notifier = await startNotifier({
    eventStore: platform.eventStore,
    log: platform.log,
    logger: pino({ level: 'silent' }),
    secretCipher: createSecretCipher({ keys: { k1: secretsKey }, activeKeyId: 'k1' }),
    mailSender: null,
    eventsTopic: `tributary.events.${schema}`,
  });
}, 60_000);

afterAll(async () => {
  await notifier?.stop();
  await platform?.stop();
  await receiver?.close();
  await dropTestSchema(services.databaseUrl, schema);
});

const webhookInput = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  kind: 'webhook',
  webhook: {
    url: receiver.url,
    headers: [{ name: 'X-Team', value: 'data' }],
    signingSecret: SECRET,
    ...extra,
  },
});

describe('notification channels over GraphQL', () => {
  it('creates a webhook channel whose secret is never shown, updates it keeping the secret, and tests it with a signed request', async () => {
    const created = await send(CREATE, { input: webhookInput(' On-call ') });
    const channelId = created.createNotificationChannel?.channelId as string;
    expect(created).toEqual({
      createNotificationChannel: { channelId: expect.any(String), position: POSITION },
    });

    const read = await send(CHANNEL, { id: channelId, at: created.createNotificationChannel?.position });
    expect(read).toEqual({
      notificationChannel: {
        id: channelId,
        name: 'On-call',
        kind: 'webhook',
        deleted: false,
        createdBy: 'dev',
        updatedBy: 'dev',
        position: created.createNotificationChannel?.position,
        webhook: {
          url: receiver.url,
          headers: [{ name: 'X-Team', value: 'data' }],
          signingSecret: '********',
        },
        email: null,
        deliveries: [],
      },
    });
    expect(JSON.stringify(read)).not.toContain(SECRET);

    // Left out on an update, the secret stays: the test below is signed with it.
    const updated = await send(UPDATE, {
      id: channelId,
      input: { name: 'On-call (primary)', kind: 'webhook', webhook: { url: receiver.url, headers: [] } },
    });
    expect(updated).toEqual({ updateNotificationChannel: { channelId, position: POSITION } });

    const tested = await send(TEST, { id: channelId });
    expect(tested).toEqual({
      testNotificationChannel: {
        id: expect.any(String),
        channelId,
        alertId: null,
        trigger: 'test',
        status: 'delivered',
        attempts: 1,
        lastStatusCode: 200,
        lastError: null,
        reason: null,
        createdAt: TIME,
        updatedAt: TIME,
        position: POSITION,
      },
    });
    const request = receiver.received.at(-1)!;
    const timestamp = Number(request.headers['x-tributary-timestamp']);
    expect(request.headers['x-tributary-signature']).toBe(signWebhookBody(SECRET, timestamp, request.body));
    expect(request.headers['x-team']).toBeUndefined();
    expect(JSON.parse(request.body)).toMatchObject({
      event: 'test',
      summary: expect.stringContaining('On-call (primary)'),
    });

    const after = await send(CHANNEL, { id: channelId, at: tested.testNotificationChannel?.position });
    expect(after.notificationChannel).toMatchObject({
      name: 'On-call (primary)',
      webhook: { headers: [], signingSecret: '********' },
      deliveries: [
        {
          id: tested.testNotificationChannel?.id,
          trigger: 'test',
          status: 'delivered',
          attempts: 1,
          lastStatusCode: 200,
        },
      ],
    });
  });

  it('refuses a channel without a usable signing secret or with credential headers, naming each field', async () => {
    expect(
      await graphql(url, CREATE, {
        input: {
          name: 'Hook',
          kind: 'webhook',
          webhook: { url: 'mailto:ops@example.com', headers: [{ name: 'Authorization', value: 'Bearer x' }] },
        },
      }),
    ).toEqual(
      failure('createNotificationChannel', 'VALIDATION_FAILED', 'VALIDATION', expect.any(String), [
        { path: 'webhook.signingSecret', message: 'is required for a new webhook channel' },
      ]),
    );
    const refused = await graphql(url, CREATE, {
      input: webhookInput('Hook', {
        url: 'mailto:ops@example.com',
        headers: [{ name: 'Authorization', value: 'x' }],
      }),
    });
    expect(refused).toEqual(
      failure('createNotificationChannel', 'VALIDATION_FAILED', 'VALIDATION', expect.any(String), [
        { path: 'webhook.url', message: 'must be an http:// or https:// URL of at most 2000 characters' },
        { path: 'webhook.headers.Authorization', message: expect.stringContaining('cannot be set') },
      ]),
    );
    expect(JSON.stringify(refused)).not.toContain(SECRET);
  });

  it('lists channels by name, hides deleted ones unless asked, and refuses to test a deleted channel', async () => {
    const email = await send(CREATE, {
      input: { name: 'A ops mail', kind: 'email', email: { addresses: ['ops@example.com'] } },
    });
    const doomed = await send(CREATE, { input: webhookInput('Z doomed') });
    const doomedId = doomed.createNotificationChannel?.channelId as string;
    const deleted = await send(DELETE, { id: doomedId });

    const at = deleted.deleteNotificationChannel?.position;
    const listed = await send(CHANNELS, { at });
    expect(listed.notificationChannels).toEqual(
      expect.arrayContaining([{ name: 'A ops mail', kind: 'email', deleted: false }]),
    );
    expect(listed.notificationChannels).not.toContainEqual(expect.objectContaining({ name: 'Z doomed' }));
    expect((await send(CHANNELS, { includeDeleted: true, at })).notificationChannels).toContainEqual({
      name: 'Z doomed',
      kind: 'webhook',
      deleted: true,
    });
    expect(
      (await send(CHANNEL, { id: email.createNotificationChannel?.channelId, at })).notificationChannel,
    ).toMatchObject({ kind: 'email', webhook: null, email: { addresses: ['ops@example.com'] } });

    expect(await graphql(url, TEST, { id: doomedId })).toEqual(
      failure(
        'testNotificationChannel',
        'NOTIFICATION_CHANNEL_DELETED',
        'NOT_FOUND',
        'The notification channel has been deleted',
      ),
    );
  });

  it('fires an alert of a rule that names a channel: the notifier delivers it, signed, and the alert shows the delivery', async () => {
    const created = await send(CREATE, { input: webhookInput('Alerts hook') });
    const channelId = created.createNotificationChannel?.channelId as string;
    const rule = await send(CREATE_RULE, {
      input: {
        pipelineId: 'p-e2e',
        name: 'Lag',
        condition: { metric: 'lag', comparator: 'gt', threshold: 100, forSeconds: 0 },
        severity: 'warning',
        channelIds: [channelId],
      },
    });
    const before = receiver.received.length;

    const fired = await send(FIRE, { input: { ruleId: rule.createAlertRule?.ruleId, value: 250 } });
    const alertId = fired.fireAlert?.alertId as string;

    const deliveries = await waitFor(async () => {
      const data = await send(ALERT_DELIVERIES, { id: alertId });
      const list = data.alert?.deliveries as { status: string }[] | undefined;
      return list?.some((delivery) => delivery.status === 'delivered') ? list : null;
    });
    expect(deliveries).toEqual([
      { channelId, alertId, trigger: 'AlertFired', status: 'delivered', attempts: 1 },
    ]);
    expect(receiver.received.length).toBe(before + 1);
    const { headers, body } = receiver.received.at(-1)!;
    expect(headers['x-tributary-signature']).toBe(
      signWebhookBody(SECRET, Number(headers['x-tributary-timestamp']), body),
    );
    expect(JSON.parse(body)).toMatchObject({
      event: 'AlertFired',
      alertId,
      ruleName: 'Lag',
      pipelineId: 'p-e2e',
      value: 250,
    });
  });
});
