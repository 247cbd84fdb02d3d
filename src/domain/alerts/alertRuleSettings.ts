import type { FieldProblem } from '../../errors.js';

/**
 * The measures a rule can watch on its pipeline: `errorRate` is the share of records that
 * failed (0 to 1), `lag` the records behind the source, `throughput` records per second.
 * `noRecords` breaches when no record arrives at all.
 */
export type AlertMetric = 'errorRate' | 'lag' | 'noRecords' | 'throughput';
export type AlertComparator = '>' | '>=' | '<' | '<=';
export type AlertSeverity = 'info' | 'warning' | 'critical';

/**
 * When a rule breaches: the metric compared with the threshold stays true for `forSeconds`
 * (0: at once). A `noRecords` rule has nothing to compare: it breaches after `forSeconds`
 * without a record.
 */
export type AlertCondition =
  | {
      metric: 'errorRate' | 'lag' | 'throughput';
      comparator: AlertComparator;
      threshold: number;
      forSeconds: number;
    }
  | { metric: 'noRecords'; forSeconds: number };

/** What a user sets on a rule; the pipeline it watches is set when it is created. */
export interface AlertRuleSettings {
  name: string;
  condition: AlertCondition;
  severity: AlertSeverity;
  /** The notification channels told when the rule fires, in no particular order. */
  channelIds: string[];
}

const METRICS: readonly string[] = ['errorRate', 'lag', 'noRecords', 'throughput'];
const COMPARATORS: readonly string[] = ['>', '>=', '<', '<='];
const SEVERITIES: readonly string[] = ['info', 'warning', 'critical'];
const MAX_NAME_LENGTH = 100;
const MAX_FOR_SECONDS = 86_400;
const MAX_CHANNELS = 20;

/** Every problem of a rule's settings, each with the path of its field; empty when valid. */
export const validateAlertRuleSettings = (settings: AlertRuleSettings): FieldProblem[] => {
  const problems: FieldProblem[] = [];
  const name = typeof settings.name === 'string' ? settings.name.trim() : '';
  if (name.length === 0 || name.length > MAX_NAME_LENGTH) {
    problems.push({ path: 'name', message: `must be 1 to ${MAX_NAME_LENGTH} characters` });
  }
  problems.push(...validateCondition(settings.condition));
  if (!SEVERITIES.includes(settings.severity)) {
    problems.push({ path: 'severity', message: `must be one of: ${SEVERITIES.join(', ')}` });
  }
  problems.push(...validateChannels(settings.channelIds));
  return problems;
};

const validateCondition = (condition: AlertCondition): FieldProblem[] => {
  const { metric } = condition ?? {};
  if (!METRICS.includes(metric)) {
    return [{ path: 'condition.metric', message: `must be one of: ${METRICS.join(', ')}` }];
  }
  const problems: FieldProblem[] = [];
  const minSeconds = metric === 'noRecords' ? 1 : 0;
  const { forSeconds } = condition;
  if (!Number.isInteger(forSeconds) || forSeconds < minSeconds || forSeconds > MAX_FOR_SECONDS) {
    problems.push({
      path: 'condition.forSeconds',
      message: `must be a whole number from ${minSeconds} to ${MAX_FOR_SECONDS}`,
    });
  }
  if (condition.metric === 'noRecords') {
    for (const field of ['comparator', 'threshold']) {
      if (Object.hasOwn(condition, field)) {
        problems.push({ path: `condition.${field}`, message: 'noRecords compares nothing: leave it out' });
      }
    }
    return problems;
  }
  if (!COMPARATORS.includes(condition.comparator)) {
    problems.push({ path: 'condition.comparator', message: `must be one of: ${COMPARATORS.join(', ')}` });
  }
  const { threshold } = condition;
  const valid =
    metric === 'errorRate'
      ? Number.isFinite(threshold) && threshold >= 0 && threshold <= 1
      : metric === 'lag'
        ? Number.isSafeInteger(threshold) && threshold >= 0
        : Number.isFinite(threshold) && threshold >= 0;
  if (!valid) {
    problems.push({ path: 'condition.threshold', message: THRESHOLD_RULES[condition.metric] });
  }
  return problems;
};

const THRESHOLD_RULES: Record<'errorRate' | 'lag' | 'throughput', string> = {
  errorRate: 'must be a share of records from 0 to 1',
  lag: 'must be a whole number of records, 0 or more',
  throughput: 'must be records per second, 0 or more',
};

const validateChannels = (channelIds: unknown): FieldProblem[] => {
  if (!Array.isArray(channelIds)) return [{ path: 'channelIds', message: 'must be a list of channel ids' }];
  if (channelIds.length > MAX_CHANNELS) {
    return [{ path: 'channelIds', message: `must hold at most ${MAX_CHANNELS} channels` }];
  }
  const problems: FieldProblem[] = [];
  channelIds.forEach((id: unknown, index) => {
    if (typeof id !== 'string' || id.length === 0) {
      problems.push({ path: `channelIds[${index}]`, message: 'must be a channel id' });
    } else if (channelIds.indexOf(id) < index) {
      problems.push({ path: `channelIds[${index}]`, message: `"${id}" is listed twice` });
    }
  });
  return problems;
};
