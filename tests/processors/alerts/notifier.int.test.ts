import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notificationDeliveryId } from '../../../src/processors/alerts/notifier.js';
import { signWebhookBody, WEBHOOK_HEADERS } from '../../../src/processors/alerts/webhookSender.js';
import { waitFor } from '../../setup/waitFor.js';
import { notifierTestBed, webhookReceiver } from './notifierTestBed.js';

const SECRET = 'whsec-3f9a1c0b7e';
const lower = (name: string) => name.toLowerCase();

let bed: Awaited<ReturnType<typeof notifierTestBed>>;

beforeAll(async () => {
  bed = await notifierTestBed();
  await bed.start();
}, 60_000);

afterAll(async () => {
  await bed?.close();
});

const outcomeSummary = (events: { type: string; data: unknown }[]) =>
  events.map((event) => {
    const data = event.data as {
      attempt?: number;
      succeeded?: boolean;
      statusCode?: number | null;
      reason?: string;
    };
    return event.type === 'NotificationDeliveryAttempted'
      ? { type: event.type, attempt: data.attempt, succeeded: data.succeeded, statusCode: data.statusCode }
      : { type: event.type };
  });

describe('notifier: webhook channels', () => {
  it('given a receiver that answers 500 twice, when an alert fires, then three attempts are recorded, one delivery, each request signed with the channel secret', async () => {
    const receiver = await webhookReceiver([500, 500, 200]);
    try {
      const channelId = await bed.createChannel(
        { kind: 'webhook', name: 'On-call', url: receiver.url, headers: { 'X-Team': 'data' } },
        SECRET,
      );
      const ruleId = await bed.createRule([channelId]);
      const alertId = `al-${channelId.slice(0, 8)}`;

      const [firedId] = await bed.recordAlert(alertId, [
        {
          type: 'AlertFired',
          data: { ruleId, value: 0.0731, firedAt: '2026-03-01T09:00:00.000Z', channelIds: [channelId] },
        },
      ]);

      const deliveryId = notificationDeliveryId(firedId!, channelId);
      const events = await bed.outcomeOf(deliveryId);
      expect(outcomeSummary(events)).toEqual([
        { type: 'NotificationDeliveryAttempted', attempt: 1, succeeded: false, statusCode: 500 },
        { type: 'NotificationDeliveryAttempted', attempt: 2, succeeded: false, statusCode: 500 },
        { type: 'NotificationDeliveryAttempted', attempt: 3, succeeded: true, statusCode: 200 },
        { type: 'NotificationDelivered' },
      ]);
      expect(receiver.received).toHaveLength(3);
      for (const { headers, body } of receiver.received) {
        const timestamp = Number(headers[lower(WEBHOOK_HEADERS.timestamp)]);
        const signature = headers[lower(WEBHOOK_HEADERS.signature)];
        // The receiver's check: HMAC-SHA256 of "<timestamp>.<body>" under the secret it was given.
        expect(signature).toBe(signWebhookBody(SECRET, timestamp, body));
        expect(signature).not.toBe(signWebhookBody('another-secret', timestamp, body));
        expect(signature).not.toBe(signWebhookBody(SECRET, timestamp, `${body} `));
        expect(headers[lower(WEBHOOK_HEADERS.deliveryId)]).toBe(deliveryId);
        expect(headers['x-team']).toBe('data');
        expect(headers['content-type']).toBe('application/json');
      }
      expect(JSON.parse(receiver.received[0]!.body)).toEqual({
        deliveryId,
        event: 'AlertFired',
        alertId,
        ruleId,
        ruleName: 'Orders error rate',
        pipelineId: 'p-orders',
        severity: 'critical',
        status: 'firing',
        level: 1,
        value: 0.0731,
        reason: "the rule's condition holds at 0.0731",
        at: '2026-03-01T09:00:00.000Z',
        summary:
          "[CRITICAL] Orders error rate on pipeline p-orders fired (value 0.0731): the rule's condition holds at 0.0731",
      });
    } finally {
      await receiver.close();
    }
  });

  it('given a receiver that refuses the request (400), then one attempt is recorded and the delivery fails without retrying', async () => {
    const receiver = await webhookReceiver([400]);
    try {
      const channelId = await bed.createChannel(
        { kind: 'webhook', name: 'Strict', url: receiver.url, headers: {} },
        SECRET,
      );
      const ruleId = await bed.createRule([channelId]);

      const [firedId] = await bed.recordAlert(`al-${channelId.slice(0, 8)}`, [
        {
          type: 'AlertFired',
          data: { ruleId, value: 2, firedAt: '2026-03-01T09:00:00.000Z', channelIds: [channelId] },
        },
      ]);

      const events = await bed.outcomeOf(notificationDeliveryId(firedId!, channelId));
      expect(outcomeSummary(events)).toEqual([
        { type: 'NotificationDeliveryAttempted', attempt: 1, succeeded: false, statusCode: 400 },
        { type: 'NotificationFailed' },
      ]);
      expect((events[1]!.data as { reason: string }).reason).toBe('answered 400');
      expect(receiver.received).toHaveLength(1);
    } finally {
      await receiver.close();
    }
  });

  it('given a receiver that never succeeds, then the policy’s five attempts are made and the delivery is given up', async () => {
    const receiver = await webhookReceiver([503]);
    try {
      const channelId = await bed.createChannel(
        { kind: 'webhook', name: 'Down', url: receiver.url, headers: {} },
        SECRET,
      );
      const ruleId = await bed.createRule([channelId]);

      const [firedId] = await bed.recordAlert(`al-${channelId.slice(0, 8)}`, [
        {
          type: 'AlertFired',
          data: { ruleId, value: 2, firedAt: '2026-03-01T09:00:00.000Z', channelIds: [channelId] },
        },
      ]);

      const events = await bed.outcomeOf(notificationDeliveryId(firedId!, channelId));
      expect(events.map((event) => event.type)).toEqual([
        ...Array(5).fill('NotificationDeliveryAttempted'),
        'NotificationFailed',
      ]);
      expect((events[5]!.data as { reason: string }).reason).toBe('gave up after 5 attempt(s): answered 503');
      expect(receiver.received).toHaveLength(5);
    } finally {
      await receiver.close();
    }
  });
});

describe('notifier: e-mail, silence, and each notification once', () => {
  it('given an e-mail channel, when an alert fires, escalates and resolves, then each address gets one mail per event', async () => {
    const channelId = await bed.createChannel({
      kind: 'email',
      name: 'Ops',
      addresses: ['ops@example.com', 'lead@example.com'],
    });
    const ruleId = await bed.createRule([channelId]);
    const alertId = `al-${channelId.slice(0, 8)}`;
    const sentBefore = bed.mail.sent.length;

    const ids = await bed.recordAlert(alertId, [
      {
        type: 'AlertFired',
        data: { ruleId, value: 12, firedAt: '2026-03-01T09:00:00.000Z', channelIds: [channelId] },
      },
      {
        type: 'AlertEscalated',
        data: { level: 2, escalatedAt: '2026-03-01T09:15:00.000Z', channelIds: [channelId] },
      },
      {
        type: 'AlertResolved',
        data: {
          resolution: 'auto',
          resolvedBy: null,
          resolvedAt: '2026-03-01T09:20:00.000Z',
          channelIds: [channelId],
        },
      },
    ]);

    for (const id of ids) await bed.outcomeOf(notificationDeliveryId(id, channelId));
    const mails = bed.mail.sent.slice(sentBefore);
    expect(mails.map((mail) => [mail.to, mail.subject])).toEqual([
      [
        'ops@example.com',
        "[Tributary] [CRITICAL] Orders error rate on pipeline p-orders fired (value 12): the rule's condition holds at 12",
      ],
      [
        'lead@example.com',
        "[Tributary] [CRITICAL] Orders error rate on pipeline p-orders fired (value 12): the rule's condition holds at 12",
      ],
      [
        'ops@example.com',
        '[Tributary] [CRITICAL] Orders error rate on pipeline p-orders escalated (value 12), level 2: unacknowledged: escalated to level 2',
      ],
      [
        'lead@example.com',
        '[Tributary] [CRITICAL] Orders error rate on pipeline p-orders escalated (value 12), level 2: unacknowledged: escalated to level 2',
      ],
      [
        'ops@example.com',
        '[Tributary] [CRITICAL] Orders error rate on pipeline p-orders resolved (value 12), level 2: the condition cleared',
      ],
      [
        'lead@example.com',
        '[Tributary] [CRITICAL] Orders error rate on pipeline p-orders resolved (value 12), level 2: the condition cleared',
      ],
    ]);
    expect(mails[0]!.text).toContain(`Alert: ${alertId}`);
  });

  it('given an alert silenced until later, when it escalates, then the notification is recorded as skipped and nothing is sent', async () => {
    const receiver = await webhookReceiver([200]);
    try {
      const channelId = await bed.createChannel(
        { kind: 'webhook', name: 'Quiet', url: receiver.url, headers: {} },
        SECRET,
      );
      const ruleId = await bed.createRule([channelId]);
      const alertId = `al-${channelId.slice(0, 8)}`;
      const until = new Date(Date.now() + 3_600_000).toISOString();

      const [, , escalatedId] = await bed.recordAlert(alertId, [
        { type: 'AlertFired', data: { ruleId, value: 3, firedAt: new Date().toISOString(), channelIds: [] } },
        { type: 'AlertSilenced', data: { until, silencedBy: 'u-1', silencedAt: new Date().toISOString() } },
        {
          type: 'AlertEscalated',
          data: { level: 2, escalatedAt: new Date().toISOString(), channelIds: [channelId] },
        },
      ]);

      const events = await bed.outcomeOf(notificationDeliveryId(escalatedId!, channelId));
      expect(events.map((event) => [event.type, (event.data as { reason: string }).reason])).toEqual([
        ['NotificationSkipped', 'silenced'],
      ]);
      expect(receiver.received).toHaveLength(0);
    } finally {
      await receiver.close();
    }
  });

  it('given a deleted channel and one never created, when an alert fires for them, then both are recorded as skipped, with why', async () => {
    const channelId = await bed.createChannel({
      kind: 'email',
      name: 'Gone',
      addresses: ['gone@example.com'],
    });
    await bed.deleteChannel(channelId);
    const ruleId = await bed.createRule([channelId]);
    const sentBefore = bed.mail.sent.length;

    const [firedId] = await bed.recordAlert(`al-${channelId.slice(0, 8)}`, [
      {
        type: 'AlertFired',
        data: {
          ruleId,
          value: 1,
          firedAt: new Date().toISOString(),
          channelIds: [channelId, 'never-created'],
        },
      },
    ]);

    const reasons = await Promise.all(
      [channelId, 'never-created'].map(async (id) =>
        (await bed.outcomeOf(notificationDeliveryId(firedId!, id))).map((event) => [
          event.type,
          (event.data as { reason: string }).reason,
        ]),
      ),
    );
    expect(reasons).toEqual([
      [['NotificationSkipped', 'channelDeleted']],
      [['NotificationSkipped', 'channelNotFound']],
    ]);
    expect(bed.mail.sent.length).toBe(sentBefore);
  });

  it('given notifications already delivered, when the events are handled again from the start (a restart that lost its offsets), then nothing is sent twice', async () => {
    const receiver = await webhookReceiver([200]);
    try {
      const channelId = await bed.createChannel(
        { kind: 'webhook', name: 'Once', url: receiver.url, headers: {} },
        SECRET,
      );
      const ruleId = await bed.createRule([channelId]);
      const [firedId] = await bed.recordAlert(`al-${channelId.slice(0, 8)}`, [
        {
          type: 'AlertFired',
          data: { ruleId, value: 1, firedAt: new Date().toISOString(), channelIds: [channelId] },
        },
      ]);
      await bed.outcomeOf(notificationDeliveryId(firedId!, channelId));
      expect(receiver.received).toHaveLength(1);

      // A second notifier in a group of its own reads the whole topic again, as a process
      // whose group lost its offsets would; it is through once its offsets reach the end.
      const groupId = `${bed.groupId}-again`;
      const again = await bed.start({ groupId, fromBeginning: true });
      const end = await bed.log.endOffsets(bed.topic);
      await waitFor(async () => {
        const committed = await bed.log.committedOffsets(groupId, bed.topic);
        return [...end].every(([partition, offset]) => (committed.get(partition) ?? 0) >= offset);
      });
      await again.stop();

      expect(receiver.received).toHaveLength(1);
      expect(
        (await bed.deliveryEvents(notificationDeliveryId(firedId!, channelId))).map((e) => e.type),
      ).toEqual(['NotificationDeliveryAttempted', 'NotificationDelivered']);
    } finally {
      await receiver.close();
    }
  });
});
