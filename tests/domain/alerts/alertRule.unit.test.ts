import { describe, it } from 'vitest';
import {
  type AlertCondition,
  type AlertRuleCommand,
  type AlertRuleEvent,
  type AlertRuleSettings,
  alertRuleDecider,
  type StoredAlertRuleSettings,
} from '../../../src/domain/alerts/alertRule.js';
import { given } from '../deciderSpec.js';

const ruleId = 'ar-1';
const settings: StoredAlertRuleSettings = {
  name: 'Orders lag',
  condition: { metric: 'lag', comparator: '>', threshold: 1000, forSeconds: 300 },
  severity: 'warning',
  channelIds: ['ops-slack', 'pager'],
  repeatIntervalSeconds: 14_400,
  escalation: [],
};
const createRule = (
  overrides: Partial<AlertRuleSettings> & { pipelineId?: unknown } = {},
): AlertRuleCommand =>
  ({
    type: 'CreateAlertRule',
    data: { ruleId, pipelineId: 'p-1', ...settings, ...overrides, createdAt: '2026-03-01T00:00:00.000Z' },
  }) as AlertRuleCommand;
const updateRule = (overrides: Partial<AlertRuleSettings> = {}): AlertRuleCommand => ({
  type: 'UpdateAlertRule',
  data: { ruleId, ...settings, ...overrides, updatedAt: '2026-03-02T00:00:00.000Z' },
});
const enable: AlertRuleCommand = {
  type: 'EnableAlertRule',
  data: { ruleId, enabledAt: '2026-03-03T00:00:00.000Z' },
};
const disable: AlertRuleCommand = {
  type: 'DisableAlertRule',
  data: { ruleId, disabledAt: '2026-03-04T00:00:00.000Z' },
};

const ruleCreated: AlertRuleEvent = {
  type: 'AlertRuleCreated',
  data: { ruleId, pipelineId: 'p-1', ...settings, createdAt: '2026-03-01T00:00:00.000Z' },
};
const enabled: AlertRuleEvent = {
  type: 'AlertRuleEnabled',
  data: { ruleId, enabledAt: '2026-03-03T00:00:00.000Z' },
};
const disabled: AlertRuleEvent = {
  type: 'AlertRuleDisabled',
  data: { ruleId, disabledAt: '2026-03-04T00:00:00.000Z' },
};
const condition = (c: object) => c as AlertCondition;

describe('alert rule decider: CreateAlertRule', () => {
  it('creates an enabled rule on a pipeline, with its name trimmed', () => {
    given(alertRuleDecider, [])
      .when(createRule({ name: '  Orders lag ' }))
      .thenEvents([ruleCreated]);
    given(alertRuleDecider, [ruleCreated]).thenState({
      status: 'enabled',
      ruleId,
      pipelineId: 'p-1',
      ...settings,
    });
  });

  it('accepts each metric with a threshold in its own unit', () => {
    const conditions: AlertCondition[] = [
      { metric: 'errorRate', comparator: '>=', threshold: 0.05, forSeconds: 60 },
      { metric: 'throughput', comparator: '<', threshold: 2.5, forSeconds: 0 },
      { metric: 'lag', comparator: '<=', threshold: 0, forSeconds: 86_400 },
      { metric: 'noRecords', forSeconds: 900 },
    ];
    for (const c of conditions) {
      given(alertRuleDecider, [])
        .when(createRule({ condition: c, channelIds: [] }))
        .thenEvents([{ ...ruleCreated, data: { ...ruleCreated.data, condition: c, channelIds: [] } }]);
    }
  });

  it('keeps only the fields a condition uses', () => {
    const extra = condition({ metric: 'lag', comparator: '>', threshold: 1000, forSeconds: 300, note: 'x' });
    given(alertRuleDecider, [])
      .when(createRule({ condition: extra }))
      .thenEvents([ruleCreated]);
  });

  it('rejects every problem at once, each at its path', () => {
    given(alertRuleDecider, [])
      .when(
        createRule({
          pipelineId: '',
          name: ' ',
          condition: condition({ metric: 'lag', comparator: '=>', threshold: 1.5, forSeconds: -1 }),
          severity: 'fatal' as 'info',
          channelIds: ['a', '', 'a'],
        }),
      )
      .thenThrows('VALIDATION_FAILED', [
        'pipelineId',
        'name',
        'condition.forSeconds',
        'condition.comparator',
        'condition.threshold',
        'severity',
        'channelIds[1]',
        'channelIds[2]',
      ]);
  });

  it('rejects an unknown metric, and thresholds outside the metric unit', () => {
    given(alertRuleDecider, [])
      .when(createRule({ condition: condition({ metric: 'cpu', forSeconds: 1 }) }))
      .thenThrows('VALIDATION_FAILED', ['condition.metric']);
    for (const c of [
      { metric: 'errorRate', comparator: '>', threshold: 1.5, forSeconds: 0 },
      { metric: 'throughput', comparator: '>', threshold: -1, forSeconds: 0 },
      { metric: 'throughput', comparator: '>', threshold: Number.POSITIVE_INFINITY, forSeconds: 0 },
    ]) {
      given(alertRuleDecider, [])
        .when(createRule({ condition: condition(c) }))
        .thenThrows('VALIDATION_FAILED', ['condition.threshold']);
    }
  });

  it('rejects a noRecords condition that compares, or that waits no time at all', () => {
    given(alertRuleDecider, [])
      .when(
        createRule({
          condition: condition({ metric: 'noRecords', comparator: '>', threshold: 0, forSeconds: 0 }),
        }),
      )
      .thenThrows('VALIDATION_FAILED', [
        'condition.forSeconds',
        'condition.comparator',
        'condition.threshold',
      ]);
  });

  it('rejects channels that are not a list, or more than 20 of them', () => {
    given(alertRuleDecider, [])
      .when(createRule({ channelIds: 'pager' as unknown as string[] }))
      .thenThrows('VALIDATION_FAILED', ['channelIds']);
    given(alertRuleDecider, [])
      .when(createRule({ channelIds: Array.from({ length: 21 }, (_, i) => `c-${i}`) }))
      .thenThrows('VALIDATION_FAILED', ['channelIds']);
  });

  it('refuses a rule id that is taken', () => {
    given(alertRuleDecider, [ruleCreated]).when(createRule()).thenThrows('ALERT_RULE_ALREADY_EXISTS');
  });
});

describe('alert rule decider: UpdateAlertRule', () => {
  const critical = {
    severity: 'critical' as const,
    condition: { metric: 'noRecords' as const, forSeconds: 60 },
  };

  it('replaces the settings, keeping the pipeline and the enabled state', () => {
    const updated: AlertRuleEvent = {
      type: 'AlertRuleUpdated',
      data: { ruleId, ...settings, ...critical, updatedAt: '2026-03-02T00:00:00.000Z' },
    };
    given(alertRuleDecider, [ruleCreated]).when(updateRule(critical)).thenEvents([updated]);
    given(alertRuleDecider, [ruleCreated, disabled, updated]).thenState({
      status: 'disabled',
      ruleId,
      pipelineId: 'p-1',
      ...settings,
      ...critical,
    });
  });

  it('records nothing when the settings do not change', () => {
    given(alertRuleDecider, [ruleCreated])
      .when(updateRule({ name: ' Orders lag ' }))
      .thenEvents([]);
  });

  it('rejects invalid settings with their paths', () => {
    given(alertRuleDecider, [ruleCreated])
      .when(updateRule({ name: '', severity: 'loud' as 'info' }))
      .thenThrows('VALIDATION_FAILED', ['name', 'severity']);
  });

  it('refuses a rule that does not exist', () => {
    given(alertRuleDecider, []).when(updateRule()).thenThrows('ALERT_RULE_NOT_FOUND');
  });
});

describe('alert rule decider: EnableAlertRule and DisableAlertRule', () => {
  it('disables an enabled rule and enables it again', () => {
    given(alertRuleDecider, [ruleCreated]).when(disable).thenEvents([disabled]);
    given(alertRuleDecider, [ruleCreated, disabled]).when(enable).thenEvents([enabled]);
    given(alertRuleDecider, [ruleCreated, disabled, enabled]).thenState({
      status: 'enabled',
      ruleId,
      pipelineId: 'p-1',
      ...settings,
    });
  });

  it('records nothing when the rule is already in that state', () => {
    given(alertRuleDecider, [ruleCreated]).when(enable).thenEvents([]);
    given(alertRuleDecider, [ruleCreated, disabled]).when(disable).thenEvents([]);
  });

  it('refuses a rule that does not exist, and ignores events before its creation', () => {
    given(alertRuleDecider, []).when(enable).thenThrows('ALERT_RULE_NOT_FOUND');
    given(alertRuleDecider, []).when(disable).thenThrows('ALERT_RULE_NOT_FOUND');
    given(alertRuleDecider, [disabled]).thenState({ status: 'none' });
  });
});

describe('alert rule decider: aggregate conditions, repeat and escalation', () => {
  const aggregateSettings: AlertRuleSettings = {
    ...settings,
    condition: {
      metric: 'aggregate',
      measure: 'total',
      key: 'eu',
      comparator: '>',
      threshold: 100,
      forSeconds: 60,
    },
    repeatIntervalSeconds: 3600,
    escalation: [
      { afterSeconds: 600, channelIds: ['pager'] },
      { afterSeconds: 1800, channelIds: ['cto'] },
    ],
  };

  it('keeps an aggregate condition, its repeat interval and its escalation levels as given', () => {
    given(alertRuleDecider, [])
      .when(createRule(aggregateSettings))
      .thenEvents([
        {
          type: 'AlertRuleCreated',
          data: { ruleId, pipelineId: 'p-1', ...aggregateSettings, createdAt: '2026-03-01T00:00:00.000Z' },
        },
      ]);
  });

  it('gives a rule created without them a 4 hour repeat interval and no escalation', () => {
    const { repeatIntervalSeconds: _r, escalation: _e, ...bare } = settings;
    const old: AlertRuleEvent = {
      type: 'AlertRuleCreated',
      data: { ruleId, pipelineId: 'p-1', ...bare, createdAt: '2026-03-01T00:00:00.000Z' },
    };
    given(alertRuleDecider, [old]).thenState({
      status: 'enabled',
      ruleId,
      pipelineId: 'p-1',
      ...settings,
      repeatIntervalSeconds: 14_400,
      escalation: [],
    });
  });

  it('names each wrong field of an aggregate condition and of the escalation policy', () => {
    given(alertRuleDecider, [])
      .when(
        createRule({
          condition: condition({
            metric: 'aggregate',
            measure: '',
            key: '',
            comparator: '!',
            threshold: Number.NaN,
            forSeconds: 0,
          }),
          repeatIntervalSeconds: 5,
          escalation: [
            { afterSeconds: 600, channelIds: ['pager'] },
            { afterSeconds: 300, channelIds: ['pager', 'pager'] },
          ],
        }),
      )
      .thenThrows('VALIDATION_FAILED', [
        'condition.comparator',
        'condition.measure',
        'condition.key',
        'condition.threshold',
        'repeatIntervalSeconds',
        'escalation[1].afterSeconds',
        'escalation[1].channelIds[1]',
      ]);
  });

  it('refuses a measure on a pipeline metric', () => {
    given(alertRuleDecider, [])
      .when(
        createRule({
          condition: condition({ metric: 'lag', comparator: '>', threshold: 5, forSeconds: 0, measure: 'x' }),
        }),
      )
      .thenThrows('VALIDATION_FAILED', ['condition.measure']);
  });
});
