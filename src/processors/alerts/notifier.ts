import { alertDecider, alertStreamId } from '../../domain/alerts/alert.js';
import { alertRuleDecider, alertRuleStreamId } from '../../domain/alerts/alertRule.js';
import {
  type NotificationChannelState,
  notificationChannelDecider,
  notificationChannelStreamId,
} from '../../domain/alerts/notificationChannel.js';
import {
  type DeliverySubject,
  notificationDeliveryDecider,
  notificationDeliveryStreamId,
} from '../../domain/alerts/notificationDelivery.js';
import type { Decider } from '../../domain/decider.js';
import type { SecretCipher } from '../../infra/crypto/secretCipher.js';
import { deterministicId } from '../../infra/eventstore/deterministicId.js';
import type { EventStore, RecordedEvent } from '../../infra/eventstore/eventStore.js';
import { handleCommand } from '../../infra/eventstore/handleCommand.js';
import { upcastEvent } from '../../infra/eventstore/upcast.js';
import type { ConsumedRecord, Log } from '../../infra/log/log.js';
import type { MailSender } from '../../infra/mail/mailSender.js';
import type { Logger } from '../../logger.js';
import { asRecordedEvent, decodeRelayedEvent, EVENTS_TOPIC, RELAY_HEADERS } from '../relay/relayedEvent.js';
import { alertNotification } from './alertNotification.js';
import {
  DEFAULT_DELIVERY_POLICY,
  type DeliveryPolicy,
  type DeliveryServices,
  deliverNotification,
} from './deliverNotification.js';

/** The alert events that tell someone: each is sent to the channels its `channelIds` name. */
export const NOTIFYING_EVENTS: readonly string[] = [
  'AlertFired',
  'AlertEscalated',
  'AlertReminded',
  'AlertResolved',
];

/** Who delivery events are recorded as, in their metadata and the audit log. */
export const NOTIFIER_ACTOR = 'system:notifier';

/** The consumer group every notifier process joins, so each alert event is handled by one of them. */
export const NOTIFIER_GROUP = 'tributary.notifier';

export interface NotifierServices {
  eventStore: EventStore;
  log: Log;
  logger: Logger;
  /** Decrypts webhook signing secrets; null when the platform has no key. */
  secretCipher: Pick<SecretCipher, 'decrypt'> | null;
  /** Where e-mail leaves; null when none is configured. */
  mailSender: MailSender | null;
  /** The relay's topic (`tributary.events` by default). */
  eventsTopic?: string;
  /** The consumer group (NOTIFIER_GROUP by default; tests use their own). */
  groupId?: string;
  /**
   * A group without offsets starts at the end of the topic, so a first start does not notify
   * the alerts of the past; true reads from the beginning instead (what was delivered is still
   * not sent again).
   */
  fromBeginning?: boolean;
  policy?: DeliveryPolicy;
  now?: () => Date;
}

/** The id of the delivery of one alert event to one channel: the same in every process and after every restart. */
export const notificationDeliveryId = (alertEventId: string, channelId: string): string =>
  deterministicId(`delivery:${alertEventId}:${channelId}`);

const fold = async <State>(
  eventStore: EventStore,
  decider: Decider<never, unknown, State>,
  streamId: string,
  untilRevision = Number.POSITIVE_INFINITY,
): Promise<State> =>
  (await eventStore.readStream(streamId))
    .map(upcastEvent)
    .filter((event) => event.revision <= untilRevision)
    .reduce<State>((state, event) => decider.evolve(state, event), decider.initialState);

/**
 * Sends notifications for alert events. It is one consumer group on `tributary.events`
 * (NOTIFIER_GROUP), so several processes share the work by partition: an alert's events share
 * a partition and are handled in order, by one process at a time. A new group starts at the
 * end of the topic: a first start does not notify the alerts of the past.
 *
 * Offsets commit after a batch's notifications are delivered, failed or skipped, so a crash
 * hands the batch to the next owner, which finds in each delivery's stream (its id derived
 * from the alert event and the channel) what was already done: nothing recorded as delivered
 * is sent again. A partition waits while its batch retries (at most the policy's attempts and
 * backoff), and the alerts of one batch are delivered side by side.
 */
export const startNotifier = async (services: NotifierServices): Promise<{ stop(): Promise<void> }> => {
  const { eventStore, logger } = services;
  const policy = services.policy ?? DEFAULT_DELIVERY_POLICY;
  const now = services.now ?? (() => new Date());
  let stopping = false;
  const sleepers = new Set<() => void>();
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        sleepers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      sleepers.add(done);
    });
  const delivery: DeliveryServices = {
    eventStore,
    secretCipher: services.secretCipher,
    mailSender: services.mailSender,
    now,
    sleep,
    actor: NOTIFIER_ACTOR,
  };

  const notify = async (event: RecordedEvent) => {
    const data = (event.data ?? {}) as Record<string, unknown>;
    const alertId = typeof data.alertId === 'string' ? data.alertId : null;
    if (alertId === null) return;
    const alertStream = alertStreamId(alertId);
    const [asOfEvent, current] = await Promise.all([
      fold(
        eventStore,
        alertDecider as Decider<never, unknown, typeof alertDecider.initialState>,
        alertStream,
        event.revision,
      ),
      fold(
        eventStore,
        alertDecider as Decider<never, unknown, typeof alertDecider.initialState>,
        alertStream,
      ),
    ]);
    const alert = asOfEvent.status === 'none' ? null : asOfEvent;
    const rule =
      alert === null
        ? null
        : await fold(
            eventStore,
            alertRuleDecider as Decider<never, unknown, typeof alertRuleDecider.initialState>,
            alertRuleStreamId(alert.ruleId),
          );
    const knownRule = rule === null || rule.status === 'none' ? null : rule;
    // Until every alert event names its channels, the rule's channels stand in for them.
    const channelIds = [
      ...new Set(
        Array.isArray(data.channelIds)
          ? (data.channelIds as unknown[]).filter((id): id is string => typeof id === 'string')
          : (knownRule?.channelIds ?? []),
      ),
    ];
    const silencedUntil = current.status === 'none' ? null : current.silencedUntil;
    const silenced = silencedUntil !== null && Date.parse(silencedUntil) > now().getTime();

    await Promise.all(
      channelIds.map(async (channelId) => {
        const subject: DeliverySubject = {
          deliveryId: notificationDeliveryId(event.id, channelId),
          channelId,
          alertId,
          trigger: event.type,
        };
        if (silenced) {
          await handleCommand(
            eventStore,
            notificationDeliveryDecider,
            notificationDeliveryStreamId(subject.deliveryId),
            {
              type: 'SkipNotification',
              data: { ...subject, reason: 'silenced', skippedAt: now().toISOString() },
            },
            { actor: NOTIFIER_ACTOR, occurredAt: now().toISOString() },
          );
          return;
        }
        const channel = await fold<NotificationChannelState>(
          eventStore,
          notificationChannelDecider as Decider<never, unknown, NotificationChannelState>,
          notificationChannelStreamId(channelId),
        );
        const notification = alertNotification({
          deliveryId: subject.deliveryId,
          event: { type: event.type, data },
          alert: alert && {
            ruleId: alert.ruleId,
            status: alert.status,
            level: alert.level,
            value: alert.value,
          },
          rule: knownRule && {
            name: knownRule.name,
            pipelineId: knownRule.pipelineId,
            severity: knownRule.severity,
          },
          recordedAt: event.recordedAt,
        });
        const outcome = await deliverNotification(
          delivery,
          channel,
          subject,
          notification,
          policy,
          () => stopping,
        );
        logger.info(
          { ...subject, status: outcome.status, attempts: outcome.attempts },
          'notification handled',
        );
      }),
    );
  };

  const eventsOf = (records: readonly ConsumedRecord[]) =>
    records.flatMap((record) => {
      if (!NOTIFYING_EVENTS.includes(record.headers[RELAY_HEADERS.eventType] ?? '')) return [];
      try {
        const event = asRecordedEvent(decodeRelayedEvent(record));
        return event.streamId.startsWith('alert-') ? [upcastEvent(event)] : [];
      } catch (error) {
        logger.error({ err: error, offset: record.offset }, 'unreadable event skipped by the notifier');
        return [];
      }
    });

  const consumer = await services.log.consume({
    groupId: services.groupId ?? NOTIFIER_GROUP,
    topics: [services.eventsTopic ?? EVENTS_TOPIC],
    fromBeginning: services.fromBeginning ?? false,
    eachBatch: async ({ records }) => {
      // One alert's events in order (a resolution is not told before its firing); alerts side by side.
      const byAlert = new Map<string, RecordedEvent[]>();
      for (const event of eventsOf(records)) {
        byAlert.set(event.streamId, [...(byAlert.get(event.streamId) ?? []), event]);
      }
      await Promise.all(
        [...byAlert.values()].map(async (events) => {
          for (const event of events) {
            try {
              await notify(event);
            } catch (error) {
              // Thrown on, so the batch is not committed and is handled again: what was
              // delivered is recorded, so only what was not is sent.
              logger.error({ err: error, eventId: event.id }, 'notifying an alert event failed');
              throw error;
            }
          }
        }),
      );
    },
  });

  return {
    stop: async () => {
      stopping = true;
      for (const wake of [...sleepers]) wake();
      await consumer.stop();
    },
  };
};
