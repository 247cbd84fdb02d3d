import type { IResolvers } from 'mercurius';
import type { NotificationChannelKind } from '../../domain/alerts/notificationChannel.js';
import type { AlertView } from '../../projections/alerts/alertRow.js';
import { findChannel, listChannels, listDeliveries } from '../../projections/channels/channelQueries.js';
import { type ChannelView, toChannelView, toDeliveryView } from '../../projections/channels/channelRow.js';
import type { ApiContext } from '../apiServices.js';
import { authorize } from '../authorize.js';
import { channelMutations } from './channelMutations.js';

/** Notification channels and deliveries: queries from the channels read model, and commands. */
export const channelResolvers: IResolvers = {
  Query: {
    notificationChannel: async (_root, { id }: { id: string }, context: ApiContext) => {
      authorize(context, 'channel.read');
      const row = await findChannel(context.services.pool, id);
      return row && toChannelView(row);
    },
    notificationChannels: async (
      _root,
      filter: { kind?: NotificationChannelKind | null; includeDeleted?: boolean | null },
      context: ApiContext,
    ) => {
      authorize(context, 'channel.read');
      return (await listChannels(context.services.pool, filter)).map(toChannelView);
    },
  },
  Mutation: channelMutations,
  NotificationChannel: {
    deliveries: async (channel: ChannelView, { first }: { first?: number | null }, context: ApiContext) => {
      authorize(context, 'channel.read');
      return (await listDeliveries(context.services.pool, { channelId: channel.id }, first ?? 20)).map(
        toDeliveryView,
      );
    },
  },
  Alert: {
    // Who was told, and how it went, is part of the alert: whoever reads the alert reads this.
    deliveries: async (alert: AlertView, _args, context: ApiContext) => {
      authorize(context, 'alert.read');
      return (await listDeliveries(context.services.pool, { alertId: alert.id }, 200)).map(toDeliveryView);
    },
  },
};
