import { describe, it } from 'vitest';
import {
  type NotificationChannelCommand,
  type NotificationChannelEvent,
  type NotificationChannelSettings,
  notificationChannelDecider,
} from '../../../src/domain/alerts/notificationChannel.js';
import { notificationDeliveryDecider } from '../../../src/domain/alerts/notificationDelivery.js';
import { given } from '../deciderSpec.js';
import { exampleSigningSecret as secret } from './notificationChannelExamples.js';

const channelId = 'ch-1';
const webhook: NotificationChannelSettings = {
  kind: 'webhook',
  name: 'On-call hook',
  url: 'https://hooks.example.com/tributary',
  headers: { 'X-Team': 'data' },
  signingSecret: secret,
};
const email: NotificationChannelSettings = { kind: 'email', name: 'Ops', addresses: ['ops@example.com'] };
const create = (settings: unknown): NotificationChannelCommand => ({
  type: 'CreateNotificationChannel',
  data: {
    channelId,
    settings: settings as NotificationChannelSettings,
    createdAt: '2026-03-01T00:00:00.000Z',
  },
});
const update = (settings: unknown): NotificationChannelCommand => ({
  type: 'UpdateNotificationChannel',
  data: {
    channelId,
    settings: settings as NotificationChannelSettings,
    updatedAt: '2026-03-02T00:00:00.000Z',
  },
});
const created: NotificationChannelEvent = {
  type: 'NotificationChannelCreated',
  data: { channelId, ...webhook, createdAt: '2026-03-01T00:00:00.000Z' },
};
const deleted: NotificationChannelEvent = {
  type: 'NotificationChannelDeleted',
  data: { channelId, deletedAt: '2026-03-03T00:00:00.000Z' },
};

describe('notification channel decider: CreateNotificationChannel', () => {
  it('creates a webhook channel with its name trimmed and its secret as it came, encrypted', () => {
    given(notificationChannelDecider, [])
      .when(create({ ...webhook, name: '  On-call hook ' }))
      .thenEvents([created]);
    given(notificationChannelDecider, [created]).thenState({
      status: 'active',
      channelId,
      settings: webhook,
    });
  });

  it('creates an e-mail channel, keeping only the fields of its kind', () => {
    given(notificationChannelDecider, [])
      .when(create({ ...email, url: 'https://ignored.example.com' }))
      .thenEvents([
        {
          type: 'NotificationChannelCreated',
          data: { channelId, ...email, createdAt: '2026-03-01T00:00:00.000Z' },
        },
      ]);
  });

  it('refuses a signing secret given as plain text, without repeating it', () => {
    given(notificationChannelDecider, [])
      .when(create({ ...webhook, signingSecret: 'hunter2' }))
      .thenThrows('VALIDATION_FAILED', ['webhook.signingSecret']);
  });

  it('rejects every problem of a webhook at once, each at its path', () => {
    given(notificationChannelDecider, [])
      .when(
        create({
          kind: 'webhook',
          name: ' ',
          url: 'ftp://hooks.example.com',
          headers: {
            Authorization: 'Bearer x',
            'X-Tributary-Signature': 'x',
            'Bad Name': 'x',
            'X-Ok': 'a\nb',
          },
        }),
      )
      .thenThrows('VALIDATION_FAILED', [
        'name',
        'webhook.url',
        'webhook.headers.Authorization',
        'webhook.headers.X-Tributary-Signature',
        'webhook.headers.Bad Name',
        'webhook.headers.X-Ok',
        'webhook.signingSecret',
      ]);
  });

  it('rejects bad and repeated addresses of an e-mail channel by their index', () => {
    given(notificationChannelDecider, [])
      .when(
        create({
          kind: 'email',
          name: 'Ops',
          addresses: ['ops@example.com', 'not-an-address', 'OPS@example.com'],
        }),
      )
      .thenThrows('VALIDATION_FAILED', ['email.addresses[1]', 'email.addresses[2]']);
    given(notificationChannelDecider, [])
      .when(create({ kind: 'email', name: 'Ops', addresses: [] }))
      .thenThrows('VALIDATION_FAILED', ['email.addresses']);
  });

  it('rejects an unknown kind', () => {
    given(notificationChannelDecider, [])
      .when(create({ kind: 'sms', name: 'Phones' }))
      .thenThrows('VALIDATION_FAILED', ['kind']);
  });

  it('refuses a second channel with the same id', () => {
    given(notificationChannelDecider, [created])
      .when(create(webhook))
      .thenThrows('NOTIFICATION_CHANNEL_ALREADY_EXISTS');
  });
});

describe('notification channel decider: UpdateNotificationChannel and DeleteNotificationChannel', () => {
  it('replaces the settings, and records nothing when they are the same', () => {
    const changed = { ...webhook, url: 'https://hooks.example.com/v2', headers: {} };
    given(notificationChannelDecider, [created])
      .when(update(changed))
      .thenEvents([
        {
          type: 'NotificationChannelUpdated',
          data: { channelId, ...changed, updatedAt: '2026-03-02T00:00:00.000Z' },
        },
      ]);
    given(notificationChannelDecider, [created]).when(update(webhook)).thenEvents([]);
  });

  it('refuses to change the kind', () => {
    given(notificationChannelDecider, [created])
      .when(update(email))
      .thenThrows('VALIDATION_FAILED', ['kind']);
  });

  it('refuses changes to an unknown or deleted channel', () => {
    given(notificationChannelDecider, []).when(update(webhook)).thenThrows('NOTIFICATION_CHANNEL_NOT_FOUND');
    given(notificationChannelDecider, [created, deleted])
      .when(update(webhook))
      .thenThrows('NOTIFICATION_CHANNEL_DELETED');
    given(notificationChannelDecider, [created, deleted])
      .when({ type: 'DeleteNotificationChannel', data: { channelId, deletedAt: '2026-03-04T00:00:00.000Z' } })
      .thenThrows('NOTIFICATION_CHANNEL_DELETED');
  });

  it('deletes a channel, which keeps its settings in the state for what was sent to it', () => {
    given(notificationChannelDecider, [created])
      .when({ type: 'DeleteNotificationChannel', data: { channelId, deletedAt: '2026-03-03T00:00:00.000Z' } })
      .thenEvents([deleted]);
    given(notificationChannelDecider, [created, deleted]).thenState({
      status: 'deleted',
      channelId,
      settings: webhook,
    });
  });
});

describe('notification delivery decider', () => {
  const subject = { deliveryId: 'd-1', channelId, alertId: 'al-1', trigger: 'AlertFired' };
  const attempt = (succeeded: boolean) => ({
    type: 'RecordNotificationAttempt' as const,
    data: {
      ...subject,
      attempt: 99,
      succeeded,
      statusCode: succeeded ? 200 : 500,
      error: succeeded ? null : 'answered 500',
      attemptedAt: '2026-03-01T00:00:00.000Z',
    },
  });

  it('numbers attempts itself, one after the other', () => {
    const first = notificationDeliveryDecider.decide(
      attempt(false),
      notificationDeliveryDecider.initialState,
    );
    given(notificationDeliveryDecider, [])
      .when(attempt(false))
      .thenEvents([{ type: 'NotificationDeliveryAttempted', data: { ...attempt(false).data, attempt: 1 } }]);
    given(notificationDeliveryDecider, first)
      .when(attempt(true))
      .thenEvents([{ type: 'NotificationDeliveryAttempted', data: { ...attempt(true).data, attempt: 2 } }]);
  });

  it('records nothing more once delivered, so a second process sends nothing', () => {
    const delivered = [
      { type: 'NotificationDeliveryAttempted' as const, data: { ...attempt(true).data, attempt: 1 } },
      {
        type: 'NotificationDelivered' as const,
        data: { ...subject, attempts: 1, deliveredAt: '2026-03-01T00:00:01.000Z' },
      },
    ];
    given(notificationDeliveryDecider, delivered).when(attempt(true)).thenEvents([]);
    given(notificationDeliveryDecider, delivered)
      .when({
        type: 'SkipNotification',
        data: { ...subject, reason: 'silenced', skippedAt: '2026-03-01T00:00:02.000Z' },
      })
      .thenEvents([]);
    given(notificationDeliveryDecider, delivered).thenState({ status: 'delivered', attempts: 1 });
  });
});
