import type pg from 'pg';
import type { NotificationChannelEvent } from '../../domain/alerts/notificationChannel.js';
import type { NotificationDeliveryEvent } from '../../domain/alerts/notificationDelivery.js';
import { assertNever } from '../../domain/decider.js';
import type { RecordedEvent } from '../../infra/eventstore/eventStore.js';

// Every write is guarded by the event's position (`last_position < position`), so an event
// delivered again changes nothing.

export type RecordedChannelEvent = RecordedEvent & NotificationChannelEvent;
export type RecordedDeliveryEvent = RecordedEvent & NotificationDeliveryEvent;

const settingsColumns = (
  data: Extract<NotificationChannelEvent, { type: 'NotificationChannelCreated' }>['data'],
) =>
  data.kind === 'webhook'
    ? [data.url, JSON.stringify(data.headers), null]
    : [null, null, JSON.stringify(data.addresses)];

export const writeChannel = async (client: pg.ClientBase, event: RecordedChannelEvent): Promise<void> => {
  const by = event.metadata.actor ?? null;
  switch (event.type) {
    case 'NotificationChannelCreated': {
      const { data } = event;
      await client.query(
        `INSERT INTO notification_channels (id, name, kind, url, headers, addresses, deleted, created_at,
           created_by, updated_at, updated_by, last_position)
         VALUES ($1, $2, $3, $4, $5, $6, false, $7, $8, $7, $8, $9) ON CONFLICT (id) DO NOTHING`,
        [data.channelId, data.name, data.kind, ...settingsColumns(data), data.createdAt, by, event.position],
      );
      return;
    }
    case 'NotificationChannelUpdated': {
      const { data } = event;
      await client.query(
        `UPDATE notification_channels SET name = $2, url = $3, headers = $4, addresses = $5,
           updated_at = $6, updated_by = $7, last_position = $8
         WHERE id = $1 AND last_position < $8`,
        [
          data.channelId,
          data.name,
          ...settingsColumns({ ...data, createdAt: data.updatedAt }),
          data.updatedAt,
          by,
          event.position,
        ],
      );
      return;
    }
    case 'NotificationChannelDeleted':
      await client.query(
        `UPDATE notification_channels SET deleted = true, updated_at = $2, updated_by = $3, last_position = $4
         WHERE id = $1 AND last_position < $4`,
        [event.data.channelId, event.data.deletedAt, by, event.position],
      );
      return;
    default:
      assertNever(event);
  }
};

export const writeDelivery = async (client: pg.ClientBase, event: RecordedDeliveryEvent): Promise<void> => {
  const { data } = event;
  const change = (() => {
    switch (event.type) {
      case 'NotificationDeliveryAttempted': {
        const { attempt, statusCode, error, attemptedAt } = event.data;
        return { status: 'pending', attempts: attempt, statusCode, error, reason: null, at: attemptedAt };
      }
      case 'NotificationDelivered':
        return {
          status: 'delivered',
          attempts: event.data.attempts,
          reason: null,
          at: event.data.deliveredAt,
        };
      case 'NotificationFailed':
        return {
          status: 'failed',
          attempts: event.data.attempts,
          reason: event.data.reason,
          at: event.data.failedAt,
        };
      case 'NotificationSkipped':
        return { status: 'skipped', attempts: 0, reason: event.data.reason, at: event.data.skippedAt };
      default:
        return assertNever(event);
    }
  })();
  // An attempt sets the last status and error; an outcome keeps them and sets the status.
  await client.query(
    `INSERT INTO notification_deliveries (id, channel_id, alert_id, trigger, status, attempts, last_status_code,
       last_error, reason, created_at, updated_at, last_position)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, $11)
     ON CONFLICT (id) DO UPDATE SET status = EXCLUDED.status, attempts = EXCLUDED.attempts,
       last_status_code = CASE WHEN $12 THEN EXCLUDED.last_status_code ELSE notification_deliveries.last_status_code END,
       last_error = CASE WHEN $12 THEN EXCLUDED.last_error ELSE notification_deliveries.last_error END,
       reason = EXCLUDED.reason, updated_at = EXCLUDED.updated_at, last_position = EXCLUDED.last_position
     WHERE notification_deliveries.last_position < EXCLUDED.last_position`,
    [
      data.deliveryId,
      data.channelId,
      data.alertId,
      data.trigger,
      change.status,
      change.attempts,
      'statusCode' in change ? change.statusCode : null,
      'error' in change ? change.error : null,
      change.reason,
      change.at,
      event.position,
      event.type === 'NotificationDeliveryAttempted',
    ],
  );
};
