import { assertNever, type Decider } from '../decider.js';

/**
 * One notification to one channel, from its first attempt to its outcome. Its stream id derives
 * from the alert event and the channel (see `notificationDeliveryId`), so every process that
 * handles that event for that channel writes to the same stream: what is recorded as delivered,
 * failed or skipped is never sent again.
 */
export interface DeliverySubject {
  deliveryId: string;
  channelId: string;
  /** Null for a test notification, which belongs to no alert. */
  alertId: string | null;
  /** The alert event being notified (`AlertFired`, `AlertEscalated`, ...) or `test`. */
  trigger: string;
}

export type NotificationSkipReason = 'silenced' | 'channelDeleted' | 'channelNotFound';

export type NotificationDeliveryCommand =
  | {
      type: 'RecordNotificationAttempt';
      data: DeliverySubject & {
        attempt: number;
        succeeded: boolean;
        /** The HTTP status of a webhook's answer; null without one (e-mail, a network error). */
        statusCode: number | null;
        /** Why the attempt failed, in words; null when it succeeded. */
        error: string | null;
        attemptedAt: string;
      };
    }
  | { type: 'RecordNotificationDelivered'; data: DeliverySubject & { deliveredAt: string } }
  | { type: 'RecordNotificationFailed'; data: DeliverySubject & { reason: string; failedAt: string } }
  | {
      type: 'SkipNotification';
      data: DeliverySubject & { reason: NotificationSkipReason; skippedAt: string };
    };

type Attempted = Extract<NotificationDeliveryCommand, { type: 'RecordNotificationAttempt' }>['data'];

export type NotificationDeliveryEvent =
  | { type: 'NotificationDeliveryAttempted'; data: Attempted }
  | { type: 'NotificationDelivered'; data: DeliverySubject & { attempts: number; deliveredAt: string } }
  | {
      type: 'NotificationFailed';
      data: DeliverySubject & { attempts: number; reason: string; failedAt: string };
    }
  | {
      type: 'NotificationSkipped';
      data: DeliverySubject & { reason: NotificationSkipReason; skippedAt: string };
    };

/** Every NotificationDeliveryEvent type; a type test keeps it whole. */
export const notificationDeliveryEventTypes = [
  'NotificationDeliveryAttempted',
  'NotificationDelivered',
  'NotificationFailed',
  'NotificationSkipped',
] as const satisfies readonly NotificationDeliveryEvent['type'][];

export type NotificationDeliveryStatus = 'pending' | 'delivered' | 'failed' | 'skipped';

export interface NotificationDeliveryState {
  status: NotificationDeliveryStatus;
  /** Attempts recorded so far; the next one is this plus one. */
  attempts: number;
}

export const notificationDeliveryStreamId = (deliveryId: string): string => `delivery-${deliveryId}`;

const isFinished = (state: NotificationDeliveryState) => state.status !== 'pending';

// A finished delivery records nothing more: a second process, or a restart that handles the
// same alert event again, finds the outcome and sends nothing.
const decide = (
  command: NotificationDeliveryCommand,
  state: NotificationDeliveryState,
): NotificationDeliveryEvent[] => {
  if (isFinished(state)) return [];
  switch (command.type) {
    case 'RecordNotificationAttempt':
      return [
        { type: 'NotificationDeliveryAttempted', data: { ...command.data, attempt: state.attempts + 1 } },
      ];
    case 'RecordNotificationDelivered':
      return [{ type: 'NotificationDelivered', data: { ...command.data, attempts: state.attempts } }];
    case 'RecordNotificationFailed':
      return [{ type: 'NotificationFailed', data: { ...command.data, attempts: state.attempts } }];
    case 'SkipNotification':
      return [{ type: 'NotificationSkipped', data: command.data }];
    default:
      return assertNever(command);
  }
};

const evolve = (
  state: NotificationDeliveryState,
  event: NotificationDeliveryEvent,
): NotificationDeliveryState => {
  switch (event.type) {
    case 'NotificationDeliveryAttempted':
      return { ...state, attempts: event.data.attempt };
    case 'NotificationDelivered':
      return { ...state, status: 'delivered' };
    case 'NotificationFailed':
      return { ...state, status: 'failed' };
    case 'NotificationSkipped':
      return { ...state, status: 'skipped' };
    default:
      return assertNever(event);
  }
};

export const notificationDeliveryDecider: Decider<
  NotificationDeliveryCommand,
  NotificationDeliveryEvent,
  NotificationDeliveryState
> = {
  initialState: { status: 'pending', attempts: 0 },
  decide,
  evolve,
};
