import { type FieldProblem, TributaryError, ValidationError } from '../../errors.js';
import { assertNever, type Decider } from '../decider.js';

/**
 * One breach of an alert rule, from firing to resolution. The alert evaluator fires and
 * auto-resolves; people acknowledge, resolve, silence; escalation raises the level of on-call
 * people notified while nobody has acknowledged.
 */
export type AlertCommand =
  | { type: 'FireAlert'; data: { alertId: string; ruleId: string; value: number; firedAt: string } }
  | { type: 'AcknowledgeAlert'; data: { alertId: string; acknowledgedBy: string; acknowledgedAt: string } }
  | {
      type: 'ResolveAlert';
      data:
        | { alertId: string; resolution: 'auto'; resolvedAt: string }
        | { alertId: string; resolution: 'manual'; resolvedBy: string; resolvedAt: string };
    }
  | { type: 'EscalateAlert'; data: { alertId: string; escalatedAt: string } }
  | {
      type: 'SilenceAlert';
      data: { alertId: string; until: string; silencedBy: string; silencedAt: string };
    };

export type AlertEvent =
  | { type: 'AlertFired'; data: { alertId: string; ruleId: string; value: number; firedAt: string } }
  | { type: 'AlertAcknowledged'; data: { alertId: string; acknowledgedBy: string; acknowledgedAt: string } }
  | {
      type: 'AlertResolved';
      data: { alertId: string; resolution: 'auto' | 'manual'; resolvedBy: string | null; resolvedAt: string };
    }
  | { type: 'AlertEscalated'; data: { alertId: string; level: number; escalatedAt: string } }
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

const assertValid = (problems: FieldProblem[]): void => {
  if (problems.length > 0) throw new ValidationError(problems);
};

const decide = (command: AlertCommand, state: AlertState): AlertEvent[] => {
  switch (command.type) {
    case 'FireAlert': {
      if (state.status !== 'none') throw new TributaryError('ALERT_ALREADY_EXISTS');
      const { alertId, ruleId, value, firedAt } = command.data;
      assertValid([
        ...(isId(ruleId) ? [] : [{ path: 'ruleId', message: 'must be the id of the rule that fired' }]),
        ...(Number.isFinite(value) ? [] : [{ path: 'value', message: 'must be a finite number' }]),
      ]);
      return [{ type: 'AlertFired', data: { alertId, ruleId, value, firedAt } }];
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
      return [{ type: 'AlertResolved', data: { alertId, resolution, resolvedBy, resolvedAt } }];
    }
    case 'EscalateAlert': {
      const alert = assertUnresolved(state);
      assertUnacknowledged(alert);
      const { alertId, escalatedAt } = command.data;
      if (alert.silencedUntil !== null && instant(escalatedAt) < instant(alert.silencedUntil)) {
        throw new TributaryError('ALERT_SILENCED', {
          message: `The alert is silenced until ${alert.silencedUntil}`,
        });
      }
      return [{ type: 'AlertEscalated', data: { alertId, level: alert.level + 1, escalatedAt } }];
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
    const { alertId, ruleId, value } = event.data;
    return { status: 'firing', alertId, ruleId, value, level: 1, acknowledgedBy: null, silencedUntil: null };
  }
  if (state.status === 'none') return state;
  switch (event.type) {
    case 'AlertAcknowledged':
      return { ...state, status: 'acknowledged', acknowledgedBy: event.data.acknowledgedBy };
    case 'AlertResolved':
      return { ...state, status: 'resolved' };
    case 'AlertEscalated':
      return { ...state, level: event.data.level };
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
