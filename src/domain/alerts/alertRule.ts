import { TributaryError, ValidationError } from '../../errors.js';
import { assertNever, type Decider } from '../decider.js';
import {
  type AlertCondition,
  type AlertRuleSettings,
  DEFAULT_REPEAT_INTERVAL_SECONDS,
  validateAlertRuleSettings,
} from './alertRuleSettings.js';

export type {
  AlertComparator,
  AlertCondition,
  AlertEscalationLevel,
  AlertMetric,
  AlertRuleSettings,
  AlertSeverity,
} from './alertRuleSettings.js';

/** Settings as a rule holds them: rules created before repeat and escalation get their defaults. */
export type StoredAlertRuleSettings = Required<AlertRuleSettings>;

export type AlertRuleCommand =
  | {
      type: 'CreateAlertRule';
      data: AlertRuleSettings & { ruleId: string; pipelineId: string; createdAt: string };
    }
  | { type: 'UpdateAlertRule'; data: AlertRuleSettings & { ruleId: string; updatedAt: string } }
  | { type: 'EnableAlertRule'; data: { ruleId: string; enabledAt: string } }
  | { type: 'DisableAlertRule'; data: { ruleId: string; disabledAt: string } };

export type AlertRuleEvent =
  | {
      type: 'AlertRuleCreated';
      data: AlertRuleSettings & { ruleId: string; pipelineId: string; createdAt: string };
    }
  | { type: 'AlertRuleUpdated'; data: AlertRuleSettings & { ruleId: string; updatedAt: string } }
  | { type: 'AlertRuleEnabled'; data: { ruleId: string; enabledAt: string } }
  | { type: 'AlertRuleDisabled'; data: { ruleId: string; disabledAt: string } };

/** Every AlertRuleEvent type, for code that must cover them all (schemas, upcasters); a type test keeps it whole. */
export const alertRuleEventTypes = [
  'AlertRuleCreated',
  'AlertRuleUpdated',
  'AlertRuleEnabled',
  'AlertRuleDisabled',
] as const satisfies readonly AlertRuleEvent['type'][];

/** A rule is enabled from its creation; only an enabled rule is evaluated. */
export type AlertRuleState =
  | { status: 'none' }
  | ({ status: 'enabled' | 'disabled'; ruleId: string; pipelineId: string } & StoredAlertRuleSettings);

export const alertRuleStreamId = (ruleId: string): string => `alertrule-${ruleId}`;

/** The settings as they are stored: the name trimmed, and only the fields its metric uses. */
const validSettings = (input: AlertRuleSettings, problems = validateAlertRuleSettings(input)) => {
  if (problems.length > 0) throw new ValidationError(problems);
  const { severity, channelIds } = input;
  const settings: StoredAlertRuleSettings = {
    name: input.name.trim(),
    condition: storedCondition(input.condition),
    severity,
    channelIds: [...channelIds],
    repeatIntervalSeconds: input.repeatIntervalSeconds ?? DEFAULT_REPEAT_INTERVAL_SECONDS,
    escalation: (input.escalation ?? []).map(({ afterSeconds, channelIds: ids }) => ({
      afterSeconds,
      channelIds: [...ids],
    })),
  };
  return settings;
};

const storedCondition = (condition: AlertCondition): AlertCondition => {
  const { forSeconds } = condition;
  switch (condition.metric) {
    case 'noRecords':
      return { metric: condition.metric, forSeconds };
    case 'aggregate': {
      const { measure, key, comparator, threshold } = condition;
      return {
        metric: 'aggregate',
        measure,
        ...(key !== undefined && { key }),
        comparator,
        threshold,
        forSeconds,
      };
    }
    default: {
      const { metric, comparator, threshold } = condition;
      return { metric, comparator, threshold, forSeconds };
    }
  }
};

const settingsOf = (settings: AlertRuleSettings): StoredAlertRuleSettings => ({
  name: settings.name,
  condition: settings.condition,
  severity: settings.severity,
  channelIds: settings.channelIds,
  repeatIntervalSeconds: settings.repeatIntervalSeconds ?? DEFAULT_REPEAT_INTERVAL_SECONDS,
  escalation: settings.escalation ?? [],
});

const assertRule = (state: AlertRuleState) => {
  if (state.status === 'none') throw new TributaryError('ALERT_RULE_NOT_FOUND');
  return state;
};

const decide = (command: AlertRuleCommand, state: AlertRuleState): AlertRuleEvent[] => {
  switch (command.type) {
    case 'CreateAlertRule': {
      if (state.status !== 'none') throw new TributaryError('ALERT_RULE_ALREADY_EXISTS');
      const { ruleId, pipelineId, createdAt } = command.data;
      const problems = validateAlertRuleSettings(command.data);
      if (typeof pipelineId !== 'string' || pipelineId.length === 0) {
        problems.unshift({ path: 'pipelineId', message: 'must be the id of the pipeline watched' });
      }
      const settings = validSettings(command.data, problems);
      return [{ type: 'AlertRuleCreated', data: { ruleId, pipelineId, ...settings, createdAt } }];
    }
    case 'UpdateAlertRule': {
      const rule = assertRule(state);
      const settings = validSettings(command.data);
      // Saving the settings a rule already has changes nothing, so it records nothing.
      if (JSON.stringify(settings) === JSON.stringify(settingsOf(rule))) return [];
      const { ruleId, updatedAt } = command.data;
      return [{ type: 'AlertRuleUpdated', data: { ruleId, ...settings, updatedAt } }];
    }
    case 'EnableAlertRule': {
      if (assertRule(state).status === 'enabled') return [];
      const { ruleId, enabledAt } = command.data;
      return [{ type: 'AlertRuleEnabled', data: { ruleId, enabledAt } }];
    }
    case 'DisableAlertRule': {
      if (assertRule(state).status === 'disabled') return [];
      const { ruleId, disabledAt } = command.data;
      return [{ type: 'AlertRuleDisabled', data: { ruleId, disabledAt } }];
    }
    default:
      return assertNever(command);
  }
};

const evolve = (state: AlertRuleState, event: AlertRuleEvent): AlertRuleState => {
  if (event.type === 'AlertRuleCreated') {
    const { ruleId, pipelineId } = event.data;
    return { status: 'enabled', ruleId, pipelineId, ...settingsOf(event.data) };
  }
  if (state.status === 'none') return state;
  switch (event.type) {
    case 'AlertRuleUpdated':
      return { ...state, ...settingsOf(event.data) };
    case 'AlertRuleEnabled':
      return { ...state, status: 'enabled' };
    case 'AlertRuleDisabled':
      return { ...state, status: 'disabled' };
    default:
      return assertNever(event);
  }
};

export const alertRuleDecider: Decider<AlertRuleCommand, AlertRuleEvent, AlertRuleState> = {
  initialState: { status: 'none' },
  decide,
  evolve,
};
