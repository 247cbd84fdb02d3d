import type { RunCounts } from '../runs/runProgress.js';
import type { AlertState } from './alert.js';
import type { AlertComparator, AlertCondition, StoredAlertRuleSettings } from './alertRule.js';

/**
 * The pure half of the alert evaluator: how observations of a series (a rule's pipeline metric,
 * or one key of an aggregate rule) turn into a condition status, and what the alert of that
 * series should do next at a given instant. Times are milliseconds since the epoch, read from
 * the evaluator's clock; nothing here reads one.
 *
 * Matching Grafana alerting:
 * - Pending period = `condition.forSeconds`: a breach is `pending` until the comparison has held
 *   on every observation for that long, and only then fires. An observation that does not
 *   breach ends the breach: the next one starts the pending period again, so a flapping
 *   condition (breach, clear, breach) fires only once a breach lasts the whole period.
 * - Repeat interval = `repeatIntervalSeconds`: a firing alert nobody acknowledged or silenced is
 *   reminded once that long after its last notification (firing, escalation or reminder), so
 *   one alert sends at most one reminder per interval. Unlike Grafana's, the repeat stops on
 *   acknowledgement (Grafana has no acknowledgement; an acknowledged alert is being handled).
 * - Escalation has no Grafana counterpart (it is Alertmanager-like routing in time): level n+1
 *   is told `escalation[n-1].afterSeconds` after the firing, unless acknowledged first.
 * - Resolution is at once when an observation no longer breaches (Grafana's "keep firing for"
 *   is 0); a new breach after it is a new alert, pending first.
 */

/** What the evaluator remembers of one series between observations. */
export interface SeriesTrack {
  /** When the comparison turned true and has held since; null while it does not hold. */
  breachingSince: number | null;
  /** The last value observed; null before the first observation. */
  value: number | null;
  /** noRecords only: when a record last came in (or the series was first seen). */
  lastRecordAt: number | null;
}

export const newSeriesTrack = (): SeriesTrack => ({ breachingSince: null, value: null, lastRecordAt: null });

/** How a series stands: `unknown` before anything was observed. */
export type ConditionStatus = 'unknown' | 'ok' | 'pending' | 'breached';

export const compare = (value: number, comparator: AlertComparator, threshold: number): boolean => {
  switch (comparator) {
    case '>':
      return value > threshold;
    case '>=':
      return value >= threshold;
    case '<':
      return value < threshold;
    case '<=':
      return value <= threshold;
  }
};

/**
 * The track after an observation of `value` at `at`: a comparison that holds keeps the instant
 * its breach began (or begins one), one that does not ends it.
 */
export const observeValue = (
  track: SeriesTrack,
  condition: Exclude<AlertCondition, { metric: 'noRecords' }>,
  value: number,
  at: number,
): SeriesTrack => {
  const holds = compare(value, condition.comparator, condition.threshold);
  return { ...track, value, breachingSince: holds ? (track.breachingSince ?? at) : null };
};

/** A noRecords track after `arrived` records came in at `at` (0: a report of nothing new). */
export const observeRecords = (track: SeriesTrack, arrived: number, at: number): SeriesTrack => ({
  ...track,
  value: arrived,
  lastRecordAt: arrived > 0 || track.lastRecordAt === null ? at : track.lastRecordAt,
});

/**
 * A breach that began before `at` counts only from `at`: after someone resolves an alert by
 * hand while its condition still holds, the rule waits a whole pending period again rather than
 * firing again at once.
 */
export const restartPending = (track: SeriesTrack, at: number): SeriesTrack =>
  track.breachingSince === null ? track : { ...track, breachingSince: Math.max(track.breachingSince, at) };

export const conditionStatus = (
  condition: AlertCondition,
  track: SeriesTrack,
  now: number,
): ConditionStatus => {
  const period = condition.forSeconds * 1000;
  if (condition.metric === 'noRecords') {
    if (track.lastRecordAt === null) return 'unknown';
    return now - track.lastRecordAt >= period ? 'breached' : 'ok';
  }
  if (track.value === null) return 'unknown';
  if (track.breachingSince === null) return 'ok';
  return now - track.breachingSince >= period ? 'breached' : 'pending';
};

/** One progress report of a run, as the evaluator keeps it. */
export interface ProgressSample {
  at: number;
  counts: Pick<RunCounts, 'in' | 'failed'>;
  lag: number;
}

/**
 * The value of a pipeline metric from a run's report and the one before it: `lag` as reported;
 * `errorRate` the share of records that came in between the two reports and failed; `throughput`
 * records in per second between them. Null when it cannot be told (the first report; no record
 * came in, so no share of them failed); a null observation leaves the track as it is.
 */
export const pipelineMetricValue = (
  metric: 'errorRate' | 'lag' | 'throughput',
  previous: ProgressSample | null,
  current: ProgressSample,
): number | null => {
  if (metric === 'lag') return current.lag;
  if (!previous) return null;
  const arrived = current.counts.in - previous.counts.in;
  if (metric === 'errorRate') {
    return arrived > 0
      ? Math.min(1, Math.max(0, current.counts.failed - previous.counts.failed) / arrived)
      : null;
  }
  const seconds = (current.at - previous.at) / 1000;
  return seconds > 0 ? Math.max(0, arrived) / seconds : null;
};

/** What the alert of a series should do now; null: nothing. */
export type AlertAction =
  | { type: 'fire'; value: number; channelIds: string[] }
  | { type: 'resolve' }
  | { type: 'escalate'; level: number; channelIds: string[] }
  | { type: 'remind'; channelIds: string[] };

type Policy = Pick<StoredAlertRuleSettings, 'channelIds' | 'repeatIntervalSeconds' | 'escalation'>;

/**
 * The next action for a series given its status and its latest alert (`none` or resolved when
 * it has no open one), at `now`. One action at a time: the evaluator applies it, folds the
 * result, and asks again on its next evaluation.
 */
export const nextAlertAction = (
  policy: Policy,
  status: ConditionStatus,
  value: number | null,
  alert: AlertState,
  now: number,
): AlertAction | null => {
  const open = alert.status === 'firing' || alert.status === 'acknowledged' ? alert : null;
  if (!open) {
    return status === 'breached'
      ? { type: 'fire', value: value ?? 0, channelIds: [...policy.channelIds] }
      : null;
  }
  if (status === 'ok') return { type: 'resolve' };
  if (open.status === 'acknowledged') return null;
  if (open.silencedUntil !== null && now < Date.parse(open.silencedUntil)) return null;
  const next = policy.escalation[open.level - 1];
  if (next && now - Date.parse(open.firedAt) >= next.afterSeconds * 1000) {
    return { type: 'escalate', level: open.level + 1, channelIds: [...next.channelIds] };
  }
  if (now - Date.parse(open.notifiedAt) >= policy.repeatIntervalSeconds * 1000) {
    return { type: 'remind', channelIds: [...open.channelIds] };
  }
  return null;
};
