import type pg from 'pg';
import { notificationChannelEventTypes } from '../../domain/alerts/notificationChannel.js';
import { notificationDeliveryEventTypes } from '../../domain/alerts/notificationDelivery.js';
import type { RecordedEvent } from '../../infra/eventstore/eventStore.js';
import type { Projection } from '../projection.js';
import {
  type RecordedChannelEvent,
  type RecordedDeliveryEvent,
  writeChannel,
  writeDelivery,
} from './channelWrites.js';

const CHANNEL_EVENTS: ReadonlySet<string> = new Set(notificationChannelEventTypes);
const DELIVERY_EVENTS: ReadonlySet<string> = new Set(notificationDeliveryEventTypes);

const isChannelEvent = (event: RecordedEvent): event is RecordedChannelEvent =>
  CHANNEL_EVENTS.has(event.type);
const isDeliveryEvent = (event: RecordedEvent): event is RecordedDeliveryEvent =>
  DELIVERY_EVENTS.has(event.type);

/**
 * Notification channels (`notification_channels`: settings without the signing secret, deleted
 * ones kept for the deliveries that name them) and deliveries (`notification_deliveries`: one
 * row per notification to a channel, its status, attempts and last answer).
 */
export const channelsProjection: Projection = {
  name: 'channels',
  tables: ['notification_channels', 'notification_deliveries'],
  migrations: [
    {
      id: 'channels-001-tables',
      sql: `CREATE TABLE notification_channels (
              id text PRIMARY KEY,
              name text NOT NULL,
              kind text NOT NULL,
              url text,
              headers jsonb,
              addresses jsonb,
              deleted boolean NOT NULL,
              created_at timestamptz NOT NULL,
              created_by text,
              updated_at timestamptz NOT NULL,
              updated_by text,
              last_position bigint NOT NULL
            );
            CREATE INDEX notification_channels_name ON notification_channels (name, id);
            CREATE TABLE notification_deliveries (
              id text PRIMARY KEY,
              channel_id text NOT NULL,
              alert_id text,
              trigger text NOT NULL,
              status text NOT NULL,
              attempts int NOT NULL,
              last_status_code int,
              last_error text,
              reason text,
              created_at timestamptz NOT NULL,
              updated_at timestamptz NOT NULL,
              last_position bigint NOT NULL
            );
            CREATE INDEX notification_deliveries_alert ON notification_deliveries (alert_id, created_at);
            CREATE INDEX notification_deliveries_channel ON notification_deliveries (channel_id, created_at);`,
    },
  ],
  async apply(client: pg.ClientBase, events) {
    for (const event of events) {
      if (isChannelEvent(event)) await writeChannel(client, event);
      else if (isDeliveryEvent(event)) await writeDelivery(client, event);
    }
    return [];
  },
};
