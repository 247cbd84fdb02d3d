import { notificationChannelDecider } from '../../../src/domain/alerts/notificationChannel.js';
import { notificationDeliveryDecider } from '../../../src/domain/alerts/notificationDelivery.js';
import type { Decider } from '../../../src/domain/decider.js';
import type { EncryptedSecret } from '../../../src/domain/encryptedSecret.js';

const decideAll = <Command, Event, State>(
  decider: Decider<Command, Event, State>,
  commands: readonly Command[],
): Event[] => {
  let state = decider.initialState;
  return commands.flatMap((command) => {
    const events = decider.decide(command, state);
    state = events.reduce(decider.evolve, state);
    return events;
  });
};

const at = (minute: number) => new Date(Date.UTC(2026, 2, 1, 9, minute)).toISOString();

export const exampleSigningSecret: EncryptedSecret = {
  alg: 'AES-256-GCM',
  keyId: 'k-2026-01',
  iv: 'AAECAwQFBgcICQoL',
  tag: 'AAECAwQFBgcICQoLDA0ODw==',
  ciphertext: 'c2lnbmluZy1zZWNyZXQ=',
};

/** Channel and delivery events of every type, as their deciders emit them (for the Avro round trips). */
export const notificationEventExamples = () => [
  ...decideAll(notificationChannelDecider, [
    {
      type: 'CreateNotificationChannel',
      data: {
        channelId: 'ch-1',
        settings: {
          kind: 'webhook',
          name: ' On-call hook ',
          url: 'https://hooks.example.com/tributary',
          headers: { 'X-Team': 'data' },
          signingSecret: exampleSigningSecret,
        },
        createdAt: at(0),
      },
    },
    {
      type: 'UpdateNotificationChannel',
      data: {
        channelId: 'ch-1',
        settings: {
          kind: 'webhook',
          name: 'On-call hook',
          url: 'https://hooks.example.com/v2',
          headers: {},
          signingSecret: exampleSigningSecret,
        },
        updatedAt: at(1),
      },
    },
    { type: 'DeleteNotificationChannel', data: { channelId: 'ch-1', deletedAt: at(2) } },
  ]),
  ...decideAll(notificationChannelDecider, [
    {
      type: 'CreateNotificationChannel',
      data: {
        channelId: 'ch-2',
        settings: { kind: 'email', name: 'Ops', addresses: ['ops@example.com'] },
        createdAt: at(0),
      },
    },
  ]),
  ...decideAll(notificationDeliveryDecider, [
    ...[500, 200].map((statusCode, index) => ({
      type: 'RecordNotificationAttempt' as const,
      data: {
        deliveryId: 'd-1',
        channelId: 'ch-1',
        alertId: 'al-1',
        trigger: 'AlertFired',
        attempt: index + 1,
        succeeded: statusCode === 200,
        statusCode,
        error: statusCode === 200 ? null : 'answered 500',
        attemptedAt: at(index),
      },
    })),
    {
      type: 'RecordNotificationDelivered',
      data: {
        deliveryId: 'd-1',
        channelId: 'ch-1',
        alertId: 'al-1',
        trigger: 'AlertFired',
        deliveredAt: at(2),
      },
    },
  ]),
  ...decideAll(notificationDeliveryDecider, [
    {
      type: 'RecordNotificationFailed',
      data: {
        deliveryId: 'd-2',
        channelId: 'ch-2',
        alertId: null,
        trigger: 'test',
        reason: 'no mail sender is configured',
        failedAt: at(3),
      },
    },
  ]),
  ...decideAll(notificationDeliveryDecider, [
    {
      type: 'SkipNotification',
      data: {
        deliveryId: 'd-3',
        channelId: 'ch-1',
        alertId: 'al-1',
        trigger: 'AlertEscalated',
        reason: 'silenced',
        skippedAt: at(4),
      },
    },
  ]),
];
