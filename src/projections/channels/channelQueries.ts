import type pg from 'pg';
import type { NotificationChannelKind } from '../../domain/alerts/notificationChannel.js';
import { CHANNEL_COLUMNS, type ChannelRow, DELIVERY_COLUMNS, type DeliveryRow } from './channelRow.js';

export const findChannel = async (pool: pg.Pool, id: string): Promise<ChannelRow | null> =>
  (await pool.query<ChannelRow>(`SELECT ${CHANNEL_COLUMNS} FROM notification_channels WHERE id = $1`, [id]))
    .rows[0] ?? null;

/** Channels by name; deleted ones only when asked for. A platform has tens of them, not thousands. */
export const listChannels = async (
  pool: pg.Pool,
  filter: { kind?: NotificationChannelKind | null; includeDeleted?: boolean | null },
): Promise<ChannelRow[]> =>
  (
    await pool.query<ChannelRow>(
      `SELECT ${CHANNEL_COLUMNS} FROM notification_channels
       WHERE ($1::text IS NULL OR kind = $1) AND ($2 OR NOT deleted) ORDER BY name, id`,
      [filter.kind ?? null, filter.includeDeleted ?? false],
    )
  ).rows;

const MAX_DELIVERIES = 200;

/** The latest deliveries, newest first, of an alert or of a channel. */
export const listDeliveries = async (
  pool: pg.Pool,
  of: { alertId: string } | { channelId: string },
  first = 50,
): Promise<DeliveryRow[]> => {
  const [column, value] = 'alertId' in of ? ['alert_id', of.alertId] : ['channel_id', of.channelId];
  return (
    await pool.query<DeliveryRow>(
      `SELECT ${DELIVERY_COLUMNS} FROM notification_deliveries WHERE ${column} = $1
       ORDER BY created_at DESC, id LIMIT $2`,
      [value, Math.max(0, Math.min(first, MAX_DELIVERIES))],
    )
  ).rows;
};
