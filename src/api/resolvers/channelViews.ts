import type { NotificationDeliveryEvent } from '../../domain/alerts/notificationDelivery.js';
import type { RecordedEvent } from '../../infra/eventstore/eventStore.js';
import type { DeliveryView } from '../../projections/channels/channelRow.js';

/**
 * A delivery as the read model will show it, from its own events: what `testNotificationChannel`
 * answers at once, without waiting for the projection.
 */
export const deliveryViewOf = (recorded: readonly RecordedEvent[]): DeliveryView => {
  const events = recorded as unknown as readonly (RecordedEvent & NotificationDeliveryEvent)[];
  const first = events[0];
  const last = events.at(-1);
  if (!first || !last) throw new Error('A delivery without events has no view');
  const attempts = events.flatMap((event) =>
    event.type === 'NotificationDeliveryAttempted' ? [event.data] : [],
  );
  const lastAttempt = attempts.at(-1);
  const outcome = last.type === 'NotificationDeliveryAttempted' ? null : last;
  return {
    id: first.data.deliveryId,
    channelId: first.data.channelId,
    alertId: first.data.alertId,
    trigger: first.data.trigger,
    status:
      outcome?.type === 'NotificationDelivered'
        ? 'delivered'
        : outcome?.type === 'NotificationFailed'
          ? 'failed'
          : outcome?.type === 'NotificationSkipped'
            ? 'skipped'
            : 'pending',
    attempts: attempts.length,
    lastStatusCode: lastAttempt?.statusCode ?? null,
    lastError: lastAttempt?.error ?? null,
    reason:
      outcome?.type === 'NotificationFailed' || outcome?.type === 'NotificationSkipped'
        ? outcome.data.reason
        : null,
    createdAt: first.recordedAt.toISOString(),
    updatedAt: last.recordedAt.toISOString(),
    position: String(last.position),
  };
};
