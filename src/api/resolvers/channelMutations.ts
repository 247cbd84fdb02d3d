import type { IResolvers } from 'mercurius';
import {
  type NotificationChannelCommand,
  type NotificationChannelState,
  notificationChannelDecider,
  notificationChannelStreamId,
} from '../../domain/alerts/notificationChannel.js';
import { TributaryError } from '../../errors.js';
import { deterministicId } from '../../infra/eventstore/deterministicId.js';
import { upcastEvent } from '../../infra/eventstore/upcast.js';
import { testNotification } from '../../processors/alerts/alertNotification.js';
import { deliverNotification, loadDelivery } from '../../processors/alerts/deliverNotification.js';
import type { ApiContext } from '../apiServices.js';
import { authorize } from '../authorize.js';
import { type NotificationChannelInput, toChannelSettings } from './channelInput.js';
import { deliveryViewOf } from './channelViews.js';
import { runCommand } from './runCommand.js';

const now = (context: ApiContext) => context.services.now().toISOString();

// Derived from the idempotency key when there is one, so a retried request finds its first attempt.
const newId = (context: ApiContext, kind: string) =>
  context.commandId ? deterministicId(`${kind}:${context.commandId}`) : context.services.newId();

const loadChannel = async (context: ApiContext, channelId: string): Promise<NotificationChannelState> =>
  (await context.services.eventStore.readStream(notificationChannelStreamId(channelId)))
    .map(upcastEvent)
    .reduce(
      (state, event) => notificationChannelDecider.evolve(state, event as never),
      notificationChannelDecider.initialState,
    );

const runChannelCommand = async (context: ApiContext, command: NotificationChannelCommand) => {
  const { channelId } = command.data;
  const streamId = notificationChannelStreamId(channelId);
  const { position } = await runCommand(context, notificationChannelDecider, streamId, command);
  return { channelId, position };
};

// A test gets one attempt: the caller is waiting, and wants to know at once whether it works.
const TEST_POLICY = { attempts: 1, initialBackoffMs: 0, timeoutMs: 10_000 };

/** Channel commands, and the test notification; each authorizes, then acts. */
export const channelMutations: IResolvers['Mutation'] = {
  createNotificationChannel: async (
    _root,
    { input }: { input: NotificationChannelInput },
    context: ApiContext,
  ) => {
    authorize(context, 'channel.create');
    const channelId = newId(context, 'notificationchannel');
    const settings = toChannelSettings(input, { status: 'none' }, context.services.secretCipher);
    return runChannelCommand(context, {
      type: 'CreateNotificationChannel',
      data: { channelId, settings, createdAt: now(context) },
    });
  },
  updateNotificationChannel: async (
    _root,
    { id, input }: { id: string; input: NotificationChannelInput },
    context: ApiContext,
  ) => {
    authorize(context, 'channel.update');
    const current = await loadChannel(context, id);
    const settings = toChannelSettings(input, current, context.services.secretCipher);
    return runChannelCommand(context, {
      type: 'UpdateNotificationChannel',
      data: { channelId: id, settings, updatedAt: now(context) },
    });
  },
  deleteNotificationChannel: (_root, { id }: { id: string }, context: ApiContext) => {
    authorize(context, 'channel.delete');
    return runChannelCommand(context, {
      type: 'DeleteNotificationChannel',
      data: { channelId: id, deletedAt: now(context) },
    });
  },
  testNotificationChannel: async (_root, { id }: { id: string }, context: ApiContext) => {
    authorize(context, 'channel.test');
    const channel = await loadChannel(context, id);
    if (channel.status === 'none') throw new TributaryError('NOTIFICATION_CHANNEL_NOT_FOUND');
    if (channel.status === 'deleted') throw new TributaryError('NOTIFICATION_CHANNEL_DELETED');
    const deliveryId = newId(context, 'delivery:test');
    const services = {
      eventStore: context.services.eventStore,
      secretCipher: context.services.secretCipher,
      mailSender: context.services.mailSender ?? null,
      now: () => context.services.now(),
      sleep: async () => undefined,
      actor: context.actor,
    };
    const notification = testNotification(deliveryId, channel.settings.name, context.services.now());
    const subject = { deliveryId, channelId: id, alertId: null, trigger: 'test' };
    await deliverNotification(services, channel, subject, notification, TEST_POLICY);
    return deliveryViewOf((await loadDelivery(context.services.eventStore, deliveryId)).events);
  },
};
