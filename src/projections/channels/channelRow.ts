import type { NotificationChannelKind } from '../../domain/alerts/notificationChannel.js';
import type { NotificationDeliveryStatus } from '../../domain/alerts/notificationDelivery.js';

/** A row of the `notification_channels` read model. It never holds the signing secret, not even encrypted. */
export interface ChannelRow {
  id: string;
  name: string;
  kind: NotificationChannelKind;
  url: string | null;
  headers: Record<string, string> | null;
  addresses: string[] | null;
  deleted: boolean;
  created_at: Date;
  created_by: string | null;
  updated_at: Date;
  updated_by: string | null;
  last_position: string;
}

export const CHANNEL_COLUMNS =
  'id, name, kind, url, headers, addresses, deleted, created_at, created_by, updated_at, updated_by, last_position';

/** What clients see of a signing secret: that there is one, never its value. */
export const MASKED_SECRET = '********';

export interface ChannelView {
  id: string;
  name: string;
  kind: NotificationChannelKind;
  webhook: { url: string; headers: { name: string; value: string }[]; signingSecret: string } | null;
  email: { addresses: string[] } | null;
  deleted: boolean;
  createdAt: string;
  createdBy: string | null;
  updatedAt: string;
  updatedBy: string | null;
  position: string;
}

export const toChannelView = (row: ChannelRow): ChannelView => ({
  id: row.id,
  name: row.name,
  kind: row.kind,
  webhook:
    row.kind === 'webhook'
      ? {
          url: row.url ?? '',
          headers: Object.entries(row.headers ?? {}).map(([name, value]) => ({ name, value })),
          signingSecret: MASKED_SECRET,
        }
      : null,
  email: row.kind === 'email' ? { addresses: row.addresses ?? [] } : null,
  deleted: row.deleted,
  createdAt: row.created_at.toISOString(),
  createdBy: row.created_by,
  updatedAt: row.updated_at.toISOString(),
  updatedBy: row.updated_by,
  position: String(row.last_position),
});

/** A row of the `notification_deliveries` read model: one notification to one channel. */
export interface DeliveryRow {
  id: string;
  channel_id: string;
  alert_id: string | null;
  trigger: string;
  status: NotificationDeliveryStatus;
  attempts: number;
  last_status_code: number | null;
  last_error: string | null;
  reason: string | null;
  created_at: Date;
  updated_at: Date;
  last_position: string;
}

export const DELIVERY_COLUMNS =
  'id, channel_id, alert_id, trigger, status, attempts, last_status_code, last_error, reason, created_at, updated_at, last_position';

export interface DeliveryView {
  id: string;
  channelId: string;
  alertId: string | null;
  trigger: string;
  status: NotificationDeliveryStatus;
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  reason: string | null;
  createdAt: string;
  updatedAt: string;
  position: string;
}

export const toDeliveryView = (row: DeliveryRow): DeliveryView => ({
  id: row.id,
  channelId: row.channel_id,
  alertId: row.alert_id,
  trigger: row.trigger,
  status: row.status,
  attempts: row.attempts,
  lastStatusCode: row.last_status_code,
  lastError: row.last_error,
  reason: row.reason,
  createdAt: row.created_at.toISOString(),
  updatedAt: row.updated_at.toISOString(),
  position: String(row.last_position),
});
