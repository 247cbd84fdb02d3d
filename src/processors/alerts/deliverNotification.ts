import type {
  NotificationChannelSettings,
  NotificationChannelState,
} from '../../domain/alerts/notificationChannel.js';
import {
  type DeliverySubject,
  type NotificationDeliveryCommand,
  type NotificationDeliveryEvent,
  type NotificationDeliveryState,
  notificationDeliveryDecider,
  notificationDeliveryStreamId,
} from '../../domain/alerts/notificationDelivery.js';
import type { SecretCipher } from '../../infra/crypto/secretCipher.js';
import type { EventStore, RecordedEvent } from '../../infra/eventstore/eventStore.js';
import {
  type CommandContext,
  handleCommand,
  type StreamSnapshot,
} from '../../infra/eventstore/handleCommand.js';
import type { MailSender } from '../../infra/mail/mailSender.js';
import type { AlertNotification } from './alertNotification.js';
import { emailNotification } from './emailNotification.js';
import { sendWebhook } from './webhookSender.js';

/** How hard a notification is tried: attempts in all, the wait before the first retry (doubling), and each attempt's time limit. */
export interface DeliveryPolicy {
  attempts: number;
  initialBackoffMs: number;
  timeoutMs: number;
}

export const DEFAULT_DELIVERY_POLICY: DeliveryPolicy = {
  attempts: 5,
  initialBackoffMs: 1_000,
  timeoutMs: 10_000,
};

export interface DeliveryServices {
  eventStore: EventStore;
  /** Decrypts webhook signing secrets; null when the platform has no key (webhooks then fail). */
  secretCipher: Pick<SecretCipher, 'decrypt'> | null;
  /** Where e-mail leaves; null when none is configured (e-mail channels then fail). */
  mailSender: MailSender | null;
  now(): Date;
  /** Waits between attempts; the notifier's can be cut short when it stops. */
  sleep(ms: number): Promise<void>;
  /** Who the delivery events are recorded as. */
  actor: string;
}

type AttemptOutcome =
  | { ok: true; statusCode: number | null }
  | { ok: false; statusCode: number | null; error: string; retryable: boolean; retryAfterMs: number | null };

/** The delivery as recorded so far: every event of its stream, folded. */
export const loadDelivery = async (
  eventStore: EventStore,
  deliveryId: string,
): Promise<
  StreamSnapshot<NotificationDeliveryState> & { events: (RecordedEvent & NotificationDeliveryEvent)[] }
> => {
  const events = (await eventStore.readStream(notificationDeliveryStreamId(deliveryId))) as (RecordedEvent &
    NotificationDeliveryEvent)[];
  return {
    state: events.reduce(notificationDeliveryDecider.evolve, notificationDeliveryDecider.initialState),
    revision: events.at(-1)?.revision ?? null,
    events,
  };
};

/**
 * Sends one notification to one channel until it is delivered, refused for good, or out of
 * attempts, recording each attempt and the outcome in the delivery's stream. It starts from
 * what that stream holds: a delivered, failed or skipped delivery sends nothing, and one left
 * half-way (a process stopped between retries) goes on with its next attempt. Every append
 * expects the revision it read, so when two processes work on one delivery each sees the
 * other's progress; both may send once in that race, which the delivery id header lets a
 * receiver recognise.
 *
 * `shouldStop` is asked before each retry: a stopping notifier leaves the delivery pending for
 * whoever handles its alert event next.
 */
export const deliverNotification = async (
  services: DeliveryServices,
  channel: NotificationChannelState,
  subject: DeliverySubject,
  notification: AlertNotification,
  policy: DeliveryPolicy,
  shouldStop: () => boolean = () => false,
): Promise<NotificationDeliveryState> => {
  const snapshot = await loadDelivery(services.eventStore, subject.deliveryId);
  const record = async (command: NotificationDeliveryCommand) => {
    const context: CommandContext = { actor: services.actor, occurredAt: services.now().toISOString() };
    const { events } = await handleCommand(
      services.eventStore,
      notificationDeliveryDecider,
      notificationDeliveryStreamId(subject.deliveryId),
      command,
      context,
      { snapshot },
    );
    return events.length > 0;
  };
  const at = () => services.now().toISOString();

  if (snapshot.state.status !== 'pending') return snapshot.state;
  if (channel.status !== 'active') {
    const reason = channel.status === 'deleted' ? 'channelDeleted' : 'channelNotFound';
    await record({ type: 'SkipNotification', data: { ...subject, reason, skippedAt: at() } });
    return snapshot.state;
  }
  const sentTo = new Set<string>();
  let lastError = 'no attempt was made';
  while (snapshot.state.status === 'pending' && snapshot.state.attempts < policy.attempts) {
    const attemptedAt = at();
    const outcome = await attempt(services, channel.settings, notification, policy, sentTo);
    const recorded = await record({
      type: 'RecordNotificationAttempt',
      data: {
        ...subject,
        attempt: snapshot.state.attempts + 1,
        succeeded: outcome.ok,
        statusCode: outcome.statusCode,
        error: outcome.ok ? null : outcome.error,
        attemptedAt,
      },
    });
    if (!recorded) return snapshot.state;
    if (outcome.ok) {
      await record({ type: 'RecordNotificationDelivered', data: { ...subject, deliveredAt: at() } });
      return snapshot.state;
    }
    lastError = outcome.error;
    if (!outcome.retryable) break;
    if (snapshot.state.attempts >= policy.attempts || shouldStop()) break;
    const backoff = policy.initialBackoffMs * 2 ** (snapshot.state.attempts - 1);
    await services.sleep(Math.max(backoff, outcome.retryAfterMs ?? 0));
    if (shouldStop()) return snapshot.state;
  }
  if (snapshot.state.status === 'pending' && !shouldStop()) {
    const reason =
      snapshot.state.attempts >= policy.attempts
        ? `gave up after ${snapshot.state.attempts} attempt(s): ${lastError}`
        : lastError;
    await record({ type: 'RecordNotificationFailed', data: { ...subject, reason, failedAt: at() } });
  }
  return snapshot.state;
};

const attempt = async (
  services: DeliveryServices,
  settings: NotificationChannelSettings,
  notification: AlertNotification,
  policy: DeliveryPolicy,
  sentTo: Set<string>,
): Promise<AttemptOutcome> => {
  if (settings.kind === 'webhook') {
    let signingSecret: string;
    try {
      if (!services.secretCipher) throw new Error('no key is configured (SECRETS_KEYS)');
      signingSecret = services.secretCipher.decrypt(settings.signingSecret);
    } catch (error) {
      const error_ = `cannot decrypt the signing secret: ${(error as Error).message}`;
      return { ok: false, statusCode: null, error: error_, retryable: false, retryAfterMs: null };
    }
    return sendWebhook({
      url: settings.url,
      headers: settings.headers,
      body: JSON.stringify(notification),
      signingSecret,
      deliveryId: notification.deliveryId,
      event: notification.event,
      timeoutMs: policy.timeoutMs,
      now: services.now(),
    });
  }
  const { mailSender } = services;
  if (!mailSender) {
    return {
      ok: false,
      statusCode: null,
      error: 'no mail sender is configured',
      retryable: false,
      retryAfterMs: null,
    };
  }
  // One message per address; an address that took it is not sent it again on a retry.
  for (const address of settings.addresses) {
    if (sentTo.has(address)) continue;
    try {
      await mailSender.send(emailNotification(address, notification));
      sentTo.add(address);
    } catch (error) {
      const message = `the mail to ${address} was not taken: ${(error as Error).message}`;
      return { ok: false, statusCode: null, error: message, retryable: true, retryAfterMs: null };
    }
  }
  return { ok: true, statusCode: null };
};
