import type { FieldProblem } from '../../errors.js';

/**
 * The measures a rule can watch on its pipeline: `errorRate` is the share of records that
 * failed (0 to 1), `lag` the records behind the source, `throughput` records per second.
 * `noRecords` breaches when no record arrives at all. `aggregate` watches a measure of the
 * pipeline's `aggregate` step outputs (its sink topic), per key.
 */
export type AlertMetric = 'errorRate' | 'lag' | 'noRecords' | 'throughput' | 'aggregate';
export type AlertComparator = '>' | '>=' | '<' | '<=';
export type AlertSeverity = 'info' | 'warning' | 'critical';

/**
 * When a rule breaches: the metric compared with the threshold stays true for `forSeconds`
 * (0: at once), Grafana's pending period: while it holds for less, the rule is pending and fires
 * nothing. A `noRecords` rule has nothing to compare: it breaches after `forSeconds` without a
 * record. An `aggregate` rule compares `measure` of each output of the key `key` (of every key
 * when absent, each key breaching and firing on its own).
 */
export type AlertCondition =
  | {
      metric: 'errorRate' | 'lag' | 'throughput';
      comparator: AlertComparator;
      threshold: number;
      forSeconds: number;
    }
  | { metric: 'noRecords'; forSeconds: number }
  | {
      metric: 'aggregate';
      measure: string;
      /** Only this key's outputs; every key's, each its own alert, when absent. */
      key?: string;
      comparator: AlertComparator;
      threshold: number;
      forSeconds: number;
    };

/**
 * One step of an escalation policy: once an alert has fired `afterSeconds` ago (counted from
 * its firing, not from the level before) and nobody acknowledged it, it escalates to this level
 * and these channels are told.
 */
export interface AlertEscalationLevel {
  afterSeconds: number;
  channelIds: string[];
}

/** What a user sets on a rule; the pipeline it watches is set when it is created. */
export interface AlertRuleSettings {
  name: string;
  condition: AlertCondition;
  severity: AlertSeverity;
  /** The notification channels told when the rule fires (level 1), in no particular order. */
  channelIds: string[];
  /**
   * Grafana's repeat interval: while an alert stays firing, unacknowledged and unsilenced, its
   * current level is reminded once this long after the last notification of it (firing,
   * escalation or reminder). 4 hours when left out.
   */
  repeatIntervalSeconds?: number;
  /** Levels 2, 3, ... in order of `afterSeconds`; none when left out. */
  escalation?: AlertEscalationLevel[];
}

export const DEFAULT_REPEAT_INTERVAL_SECONDS = 4 * 3600;

const METRICS: readonly string[] = ['errorRate', 'lag', 'noRecords', 'throughput', 'aggregate'];
const COMPARATORS: readonly string[] = ['>', '>=', '<', '<='];
const SEVERITIES: readonly string[] = ['info', 'warning', 'critical'];
const MAX_NAME_LENGTH = 100;
const MAX_FOR_SECONDS = 86_400;
const MAX_CHANNELS = 20;
const MIN_REPEAT_SECONDS = 60;
const MAX_REPEAT_SECONDS = 7 * 86_400;
const MAX_LEVELS = 10;
const MAX_MEASURE_LENGTH = 100;

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
  problems.push(...validateChannels(settings.channelIds, 'channelIds'));
  const repeat = settings.repeatIntervalSeconds;
  if (
    repeat !== undefined &&
    (!Number.isInteger(repeat) || repeat < MIN_REPEAT_SECONDS || repeat > MAX_REPEAT_SECONDS)
  ) {
    problems.push({
      path: 'repeatIntervalSeconds',
      message: `must be a whole number from ${MIN_REPEAT_SECONDS} to ${MAX_REPEAT_SECONDS}`,
    });
  }
  problems.push(...validateEscalation(settings.escalation));
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
  const present = (field: string) => Object.hasOwn(condition, field);
  if (metric !== 'aggregate') {
    for (const field of ['measure', 'key'].filter(present)) {
      problems.push({ path: `condition.${field}`, message: 'only an aggregate condition has it' });
    }
  }
  if (condition.metric === 'noRecords') {
    for (const field of ['comparator', 'threshold'].filter(present)) {
      problems.push({ path: `condition.${field}`, message: 'noRecords compares nothing: leave it out' });
    }
    return problems;
  }
  if (!COMPARATORS.includes(condition.comparator)) {
    problems.push({ path: 'condition.comparator', message: `must be one of: ${COMPARATORS.join(', ')}` });
  }
  const { threshold } = condition;
  if (condition.metric === 'aggregate') {
    const { measure, key } = condition;
    if (typeof measure !== 'string' || measure.length === 0 || measure.length > MAX_MEASURE_LENGTH) {
      problems.push({
        path: 'condition.measure',
        message: `must name a measure of the aggregate step, 1 to ${MAX_MEASURE_LENGTH} characters`,
      });
    }
    if (key !== undefined && (typeof key !== 'string' || key.length === 0)) {
      problems.push({ path: 'condition.key', message: 'must be a key, or be left out for every key' });
    }
    if (!Number.isFinite(threshold)) {
      problems.push({ path: 'condition.threshold', message: 'must be a finite number' });
    }
    return problems;
  }
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

const validateEscalation = (levels: unknown): FieldProblem[] => {
  if (levels === undefined) return [];
  if (!Array.isArray(levels)) return [{ path: 'escalation', message: 'must be a list of levels' }];
  if (levels.length > MAX_LEVELS) {
    return [{ path: 'escalation', message: `must hold at most ${MAX_LEVELS} levels` }];
  }
  const problems: FieldProblem[] = [];
  let before = 0;
  levels.forEach((level: Partial<AlertEscalationLevel> | null, index) => {
    const path = `escalation[${index}]`;
    const after = level?.afterSeconds;
    if (!Number.isInteger(after) || (after as number) <= before || (after as number) > MAX_REPEAT_SECONDS) {
      problems.push({
        path: `${path}.afterSeconds`,
        message: `must be a whole number of seconds after ${before} (the level before) and at most ${MAX_REPEAT_SECONDS}`,
      });
    } else {
      before = after as number;
    }
    problems.push(...validateChannels(level?.channelIds, `${path}.channelIds`));
  });
  return problems;
};

const validateChannels = (channelIds: unknown, path: string): FieldProblem[] => {
  if (!Array.isArray(channelIds)) return [{ path, message: 'must be a list of channel ids' }];
  if (channelIds.length > MAX_CHANNELS) {
    return [{ path, message: `must hold at most ${MAX_CHANNELS} channels` }];
  }
  const problems: FieldProblem[] = [];
  channelIds.forEach((id: unknown, index) => {
    if (typeof id !== 'string' || id.length === 0) {
      problems.push({ path: `${path}[${index}]`, message: 'must be a channel id' });
    } else if (channelIds.indexOf(id) < index) {
      problems.push({ path: `${path}[${index}]`, message: `"${id}" is listed twice` });
    }
  });
  return problems;
};
