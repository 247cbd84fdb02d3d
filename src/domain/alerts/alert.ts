import { type FieldProblem, TributaryError, ValidationError } from '../../errors.js';
import { assertNever, type Decider } from '../decider.js';

/**
 * One breach of an alert rule, from firing to resolution. The alert evaluator fires and
 * auto-resolves; people acknowledge, resolve, silence; escalation raises the level of on-call
 * people notified while nobody has acknowledged.
 */
/**
 * Who is told travels on the decision: `channelIds` of AlertFired, AlertEscalated, AlertReminded
 * and AlertResolved are exactly the channels the notifier delivers that event to. Events written
 * before they carried it have none (absent).
 */
export type AlertCommand =
  | {
      type: 'FireAlert';
      data: {
        alertId: string;
        ruleId: string;
        value: number;
        firedAt: string;
        /** The key of the aggregate output that breached; absent for pipeline metrics. */
        key?: string;
        channelIds?: string[];
      };
    }
  | { type: 'AcknowledgeAlert'; data: { alertId: string; acknowledgedBy: string; acknowledgedAt: string } }
  | {
      type: 'ResolveAlert';
      data:
        | { alertId: string; resolution: 'auto'; resolvedAt: string }
        | { alertId: string; resolution: 'manual'; resolvedBy: string; resolvedAt: string };
    }
  | { type: 'EscalateAlert'; data: { alertId: string; escalatedAt: string; channelIds?: string[] } }
  | { type: 'RemindAlert'; data: { alertId: string; remindedAt: string; channelIds: string[] } }
  | {
      type: 'SilenceAlert';
      data: { alertId: string; until: string; silencedBy: string; silencedAt: string };
    };

export type AlertEvent =
  | {
      type: 'AlertFired';
      data: {
        alertId: string;
        ruleId: string;
        value: number;
        firedAt: string;
        key?: string | null;
        channelIds?: string[];
      };
    }
  | { type: 'AlertAcknowledged'; data: { alertId: string; acknowledgedBy: string; acknowledgedAt: string } }
  | {
      type: 'AlertResolved';
      data: {
        alertId: string;
        resolution: 'auto' | 'manual';
        resolvedBy: string | null;
        resolvedAt: string;
        channelIds?: string[];
      };
    }
  | {
      type: 'AlertEscalated';
      data: { alertId: string; level: number; escalatedAt: string; channelIds?: string[] };
    }
  | {
      type: 'AlertReminded';
      data: { alertId: string; level: number; channelIds: string[]; remindedAt: string };
    }
  | {
      type: 'AlertSilenced';
      data: { alertId: string; until: string; silencedBy: string; silencedAt: string };
    };

/** Every AlertEvent type, for code that must cover them all (schemas, upcasters); a type test keeps it whole. */
export const alertEventTypes = [
  'AlertFired',
  'AlertAcknowledged',
  'AlertResolved',
  'AlertEscalated',
  'AlertSilenced',
  'AlertReminded',
] as const satisfies readonly AlertEvent['type'][];

export type AlertStatus = 'firing' | 'acknowledged' | 'resolved';

export type AlertState =
  | { status: 'none' }
  | {
      status: AlertStatus;
      alertId: string;
      ruleId: string;
      value: number;
      /** 1 when fired, one more at each escalation. */
      level: number;
      acknowledgedBy: string | null;
      /** Notifications stay quiet until this instant; null when never silenced. */
      silencedUntil: string | null;
      /** The aggregate key that breached; null for pipeline metrics. */
      key: string | null;
      firedAt: string;
      /** The last firing, escalation or reminder: the repeat interval counts from it. */
      notifiedAt: string;
      /** Every channel told so far, in the order first told: a resolution tells them all. */
      channelIds: string[];
    };

type ExistingAlertState = Exclude<AlertState, { status: 'none' }>;

export const alertStreamId = (alertId: string): string => `alert-${alertId}`;

const isId = (value: unknown): value is string => typeof value === 'string' && value.length > 0;
const instant = (value: unknown): number => (typeof value === 'string' ? Date.parse(value) : Number.NaN);

const assertUnresolved = (state: AlertState): ExistingAlertState => {
  if (state.status === 'none') throw new TributaryError('ALERT_NOT_FOUND');
  if (state.status === 'resolved') throw new TributaryError('ALERT_ALREADY_RESOLVED');
  return state;
};

const assertUnacknowledged = (alert: ExistingAlertState): void => {
  if (alert.status === 'acknowledged') {
    throw new TributaryError('ALERT_ALREADY_ACKNOWLEDGED', {
      message: `The alert is already acknowledged, by ${alert.acknowledgedBy}`,
    });
  }
};

const assertNotSilenced = (alert: ExistingAlertState, at: string): void => {
  if (alert.silencedUntil !== null && instant(at) < instant(alert.silencedUntil)) {
    throw new TributaryError('ALERT_SILENCED', {
      message: `The alert is silenced until ${alert.silencedUntil}`,
    });
  }
};

const channelProblems = (channelIds: unknown): FieldProblem[] =>
  Array.isArray(channelIds) && channelIds.every(isId)
    ? []
    : [{ path: 'channelIds', message: 'must be a list of channel ids' }];

const withChannels = (told: readonly string[], more: readonly string[] | undefined): string[] => [
  ...told,
  ...(more ?? []).filter((id) => !told.includes(id)),
];

const assertValid = (problems: FieldProblem[]): void => {
  if (problems.length > 0) throw new ValidationError(problems);
};

const decide = (command: AlertCommand, state: AlertState): AlertEvent[] => {
  switch (command.type) {
    case 'FireAlert': {
      if (state.status !== 'none') throw new TributaryError('ALERT_ALREADY_EXISTS');
      const { alertId, ruleId, value, firedAt, key } = command.data;
      const channelIds = command.data.channelIds ?? [];
      assertValid([
        ...(isId(ruleId) ? [] : [{ path: 'ruleId', message: 'must be the id of the rule that fired' }]),
        ...(Number.isFinite(value) ? [] : [{ path: 'value', message: 'must be a finite number' }]),
        ...(key === undefined || isId(key)
          ? []
          : [{ path: 'key', message: 'must be a key, or be left out' }]),
        ...channelProblems(channelIds),
      ]);
      return [
        {
          type: 'AlertFired',
          data: {
            alertId,
            ruleId,
            value,
            firedAt,
            ...(key !== undefined && { key }),
            channelIds: [...channelIds],
          },
        },
      ];
    }
    case 'AcknowledgeAlert': {
      assertUnacknowledged(assertUnresolved(state));
      const { alertId, acknowledgedBy, acknowledgedAt } = command.data;
      assertValid(
        isId(acknowledgedBy) ? [] : [{ path: 'acknowledgedBy', message: 'must name who acknowledges' }],
      );
      return [{ type: 'AlertAcknowledged', data: { alertId, acknowledgedBy, acknowledgedAt } }];
    }
    case 'ResolveAlert': {
      assertUnresolved(state);
      const { data } = command;
      const { alertId, resolution, resolvedAt } = data;
      if (resolution !== 'auto' && resolution !== 'manual') {
        throw new ValidationError([{ path: 'resolution', message: 'must be one of: auto, manual' }]);
      }
      const resolvedBy = data.resolution === 'manual' ? data.resolvedBy : null;
      if (resolution === 'manual' && !isId(resolvedBy)) {
        throw new ValidationError([{ path: 'resolvedBy', message: 'must name who resolves' }]);
      }
      // Everyone told of the alert hears it ended.
      const { channelIds } = assertUnresolved(state);
      return [
        {
          type: 'AlertResolved',
          data: { alertId, resolution, resolvedBy, resolvedAt, channelIds: [...channelIds] },
        },
      ];
    }
    case 'EscalateAlert': {
      const alert = assertUnresolved(state);
      assertUnacknowledged(alert);
      const { alertId, escalatedAt } = command.data;
      const channelIds = command.data.channelIds ?? [];
      assertNotSilenced(alert, escalatedAt);
      assertValid(channelProblems(channelIds));
      return [
        {
          type: 'AlertEscalated',
          data: { alertId, level: alert.level + 1, escalatedAt, channelIds: [...channelIds] },
        },
      ];
    }
    case 'RemindAlert': {
      // A reminder nags whoever has not answered: an acknowledged or silenced alert needs none.
      const alert = assertUnresolved(state);
      assertUnacknowledged(alert);
      const { alertId, remindedAt, channelIds } = command.data;
      assertNotSilenced(alert, remindedAt);
      assertValid(channelProblems(channelIds));
      return [
        {
          type: 'AlertReminded',
          data: { alertId, level: alert.level, channelIds: [...channelIds], remindedAt },
        },
      ];
    }
    case 'SilenceAlert': {
      assertUnresolved(state);
      const { alertId, until, silencedBy, silencedAt } = command.data;
      const problems: FieldProblem[] = [];
      if (Number.isNaN(instant(until))) {
        problems.push({ path: 'until', message: 'must be an ISO-8601 instant' });
      } else if (instant(until) <= instant(silencedAt)) {
        problems.push({ path: 'until', message: `must be after ${silencedAt}` });
      }
      if (!isId(silencedBy)) problems.push({ path: 'silencedBy', message: 'must name who silences' });
      assertValid(problems);
      return [{ type: 'AlertSilenced', data: { alertId, until, silencedBy, silencedAt } }];
    }
    default:
      return assertNever(command);
  }
};

const evolve = (state: AlertState, event: AlertEvent): AlertState => {
  if (event.type === 'AlertFired') {
    const { alertId, ruleId, value, firedAt } = event.data;
    return {
      status: 'firing',
      alertId,
      ruleId,
      value,
      level: 1,
      acknowledgedBy: null,
      silencedUntil: null,
      key: event.data.key ?? null,
      firedAt,
      notifiedAt: firedAt,
      channelIds: withChannels([], event.data.channelIds),
    };
  }
  if (state.status === 'none') return state;
  switch (event.type) {
    case 'AlertAcknowledged':
      return { ...state, status: 'acknowledged', acknowledgedBy: event.data.acknowledgedBy };
    case 'AlertResolved':
      return { ...state, status: 'resolved' };
    case 'AlertEscalated':
      return {
        ...state,
        level: event.data.level,
        notifiedAt: event.data.escalatedAt,
        channelIds: withChannels(state.channelIds, event.data.channelIds),
      };
    case 'AlertReminded':
      return {
        ...state,
        notifiedAt: event.data.remindedAt,
        channelIds: withChannels(state.channelIds, event.data.channelIds),
      };
    case 'AlertSilenced':
      return { ...state, silencedUntil: event.data.until };
    default:
      return assertNever(event);
  }
};

export const alertDecider: Decider<AlertCommand, AlertEvent, AlertState> = {
  initialState: { status: 'none' },
  decide,
  evolve,
};
