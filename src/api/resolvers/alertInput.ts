import type {
  AlertComparator,
  AlertCondition,
  AlertEscalationLevel,
  AlertRuleSettings,
} from '../../domain/alerts/alertRule.js';

/** GraphQL enums cannot hold `>`; these are the schema's names for the comparators. */
const COMPARATOR_OF_NAME = { gt: '>', gte: '>=', lt: '<', lte: '<=' } as const satisfies Record<
  string,
  AlertComparator
>;
type ComparatorName = keyof typeof COMPARATOR_OF_NAME;

const NAME_OF_COMPARATOR = Object.fromEntries(
  Object.entries(COMPARATOR_OF_NAME).map(([name, comparator]) => [comparator, name]),
) as Record<AlertComparator, ComparatorName>;

export const comparatorName = (comparator: AlertComparator): ComparatorName => NAME_OF_COMPARATOR[comparator];

export interface AlertConditionInput {
  metric: AlertCondition['metric'];
  comparator?: ComparatorName | null;
  threshold?: number | null;
  forSeconds?: number | null;
  measure?: string | null;
  key?: string | null;
}

export interface AlertRuleSettingsInput {
  name: string;
  condition: AlertConditionInput;
  severity: AlertRuleSettings['severity'];
  channelIds?: string[] | null;
  repeatIntervalSeconds?: number | null;
  escalation?: AlertEscalationLevel[] | null;
}

/**
 * Turns GraphQL input into the domain's settings, leaving every check to the domain: a field
 * the client left out stays out (a `noRecords` condition with a threshold is refused there, by
 * its path), and a comparator missing where one is needed is reported there too.
 */
export const toAlertRuleSettings = (input: AlertRuleSettingsInput): AlertRuleSettings => {
  const { metric, comparator, threshold, forSeconds, measure, key } = input.condition;
  const condition = {
    metric,
    ...(measure != null && { measure }),
    ...(key != null && { key }),
    ...(comparator != null && { comparator: COMPARATOR_OF_NAME[comparator] }),
    ...(threshold != null && { threshold }),
    forSeconds: forSeconds ?? 0,
  } as AlertCondition;
  return {
    name: input.name,
    condition,
    severity: input.severity,
    channelIds: input.channelIds ?? [],
    ...(input.repeatIntervalSeconds != null && { repeatIntervalSeconds: input.repeatIntervalSeconds }),
    ...(input.escalation != null && { escalation: input.escalation }),
  };
};
