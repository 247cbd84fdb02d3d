import { TributaryError, ValidationError } from '../../errors.js';
import { assertNever, type Decider } from '../decider.js';
import {
  type NotificationChannelSettings,
  normalizedChannelSettings,
  validateNotificationChannelSettings,
} from './notificationChannelSettings.js';

export type {
  EmailChannelSettings,
  NotificationChannelKind,
  NotificationChannelSettings,
  WebhookChannelSettings,
} from './notificationChannelSettings.js';

/**
 * Where alert notifications go, kept as data. A channel's kind is chosen when it is created and
 * never changes (a rule's channel ids keep meaning the same sort of thing); a deleted channel's
 * id is never reused, and notifications for it are skipped.
 */
export type NotificationChannelCommand =
  | {
      type: 'CreateNotificationChannel';
      data: { channelId: string; settings: NotificationChannelSettings; createdAt: string };
    }
  | {
      type: 'UpdateNotificationChannel';
      data: { channelId: string; settings: NotificationChannelSettings; updatedAt: string };
    }
  | { type: 'DeleteNotificationChannel'; data: { channelId: string; deletedAt: string } };

export type NotificationChannelEvent =
  | {
      type: 'NotificationChannelCreated';
      data: NotificationChannelSettings & { channelId: string; createdAt: string };
    }
  | {
      type: 'NotificationChannelUpdated';
      data: NotificationChannelSettings & { channelId: string; updatedAt: string };
    }
  | { type: 'NotificationChannelDeleted'; data: { channelId: string; deletedAt: string } };

/** Every NotificationChannelEvent type, for code that must cover them all; a type test keeps it whole. */
export const notificationChannelEventTypes = [
  'NotificationChannelCreated',
  'NotificationChannelUpdated',
  'NotificationChannelDeleted',
] as const satisfies readonly NotificationChannelEvent['type'][];

export type NotificationChannelState =
  | { status: 'none' }
  | { status: 'active' | 'deleted'; channelId: string; settings: NotificationChannelSettings };

export const notificationChannelStreamId = (channelId: string): string => `notificationchannel-${channelId}`;

const validSettings = (settings: NotificationChannelSettings) => {
  const problems = validateNotificationChannelSettings(settings);
  if (problems.length > 0) throw new ValidationError(problems);
  return normalizedChannelSettings(settings);
};

const assertActive = (state: NotificationChannelState) => {
  if (state.status === 'none') throw new TributaryError('NOTIFICATION_CHANNEL_NOT_FOUND');
  if (state.status === 'deleted') throw new TributaryError('NOTIFICATION_CHANNEL_DELETED');
  return state;
};

const settingsOf = (data: NotificationChannelSettings): NotificationChannelSettings =>
  data.kind === 'email'
    ? { kind: data.kind, name: data.name, addresses: data.addresses }
    : {
        kind: data.kind,
        name: data.name,
        url: data.url,
        headers: data.headers,
        signingSecret: data.signingSecret,
      };

const decide = (
  command: NotificationChannelCommand,
  state: NotificationChannelState,
): NotificationChannelEvent[] => {
  switch (command.type) {
    case 'CreateNotificationChannel': {
      if (state.status !== 'none') throw new TributaryError('NOTIFICATION_CHANNEL_ALREADY_EXISTS');
      const { channelId, createdAt } = command.data;
      const settings = validSettings(command.data.settings);
      return [{ type: 'NotificationChannelCreated', data: { channelId, ...settings, createdAt } }];
    }
    case 'UpdateNotificationChannel': {
      const channel = assertActive(state);
      const settings = validSettings(command.data.settings);
      if (settings.kind !== channel.settings.kind) {
        throw new ValidationError([
          { path: 'kind', message: `is ${channel.settings.kind} and cannot change: create another channel` },
        ]);
      }
      // The same settings record nothing; a secret encrypted again (a new IV) counts as a change.
      if (JSON.stringify(settings) === JSON.stringify(channel.settings)) return [];
      const { channelId, updatedAt } = command.data;
      return [{ type: 'NotificationChannelUpdated', data: { channelId, ...settings, updatedAt } }];
    }
    case 'DeleteNotificationChannel': {
      assertActive(state);
      const { channelId, deletedAt } = command.data;
      return [{ type: 'NotificationChannelDeleted', data: { channelId, deletedAt } }];
    }
    default:
      return assertNever(command);
  }
};

const evolve = (
  state: NotificationChannelState,
  event: NotificationChannelEvent,
): NotificationChannelState => {
  switch (event.type) {
    case 'NotificationChannelCreated':
      return { status: 'active', channelId: event.data.channelId, settings: settingsOf(event.data) };
    case 'NotificationChannelUpdated':
      return state.status === 'none' ? state : { ...state, settings: settingsOf(event.data) };
    case 'NotificationChannelDeleted':
      return state.status === 'none' ? state : { ...state, status: 'deleted' };
    default:
      return assertNever(event);
  }
};

export const notificationChannelDecider: Decider<
  NotificationChannelCommand,
  NotificationChannelEvent,
  NotificationChannelState
> = {
  initialState: { status: 'none' },
  decide,
  evolve,
};
