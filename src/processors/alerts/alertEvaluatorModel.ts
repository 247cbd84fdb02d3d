import { type AlertEvent, type AlertState, alertDecider } from '../../domain/alerts/alert.js';
import {
  newSeriesTrack,
  observeRecords,
  observeValue,
  type ProgressSample,
  pipelineMetricValue,
  restartPending,
  type SeriesTrack,
} from '../../domain/alerts/alertEvaluation.js';
import { type AlertRuleEvent, type AlertRuleState, alertRuleDecider } from '../../domain/alerts/alertRule.js';
import { type PipelineEvent, type PipelineState, pipelineDecider } from '../../domain/pipelines/pipeline.js';
import type { RunEvent } from '../../domain/runs/run.js';
import { deterministicId } from '../../infra/eventstore/deterministicId.js';
import type { StreamSnapshot } from '../../infra/eventstore/handleCommand.js';
import { upcastEvent } from '../../infra/eventstore/upcast.js';
import type { PlatformEvent } from '../platformEventFeed.js';

export type EnabledRule = Exclude<AlertRuleState, { status: 'none' }> & { status: 'enabled' };

const isEnabled = (rule: AlertRuleState | undefined): rule is EnabledRule => rule?.status === 'enabled';

/** One thing a rule watches: its pipeline metric, or one key of its aggregate's outputs. */
export interface Series {
  id: string;
  ruleId: string;
  /** The aggregate key; null for pipeline metrics. */
  key: string | null;
  track: SeriesTrack;
  /** The series' latest alert; null before its first. */
  alertId: string | null;
  /** How many alerts it has had: names the next one. */
  alerts: number;
}

const seriesIdOf = (ruleId: string, key: string | null) => `${ruleId}/${key ?? ''}`;
// A run reports every few seconds: a report older than this says little about now.
const SEED_MAX_AGE_MS = 60_000;

/**
 * What the evaluator knows, folded from `tributary.events` (rules, alerts, pipelines, runs'
 * progress) and the aggregate outputs: each rule's series with its track, and each alert as a
 * stream snapshot the command path reads on from. It decides nothing; `alertEvaluator` does.
 */
export const alertEvaluatorModel = () => {
  const rules = new Map<string, AlertRuleState>();
  const pipelines = new Map<string, PipelineState>();
  const runs = new Map<string, { pipelineId: string; last: ProgressSample | null }>();
  const alerts = new Map<string, StreamSnapshot<AlertState>>();
  const series = new Map<string, Series>();

  const seriesOf = (ruleId: string, key: string | null): Series => {
    const id = seriesIdOf(ruleId, key);
    let found = series.get(id);
    if (!found) {
      found = { id, ruleId, key, track: newSeriesTrack(), alertId: null, alerts: 0 };
      series.set(id, found);
    }
    return found;
  };

  const enabledRulesOf = (pipelineId: string): EnabledRule[] =>
    [...rules.values()].filter(isEnabled).filter((rule) => rule.pipelineId === pipelineId);

  const alertOf = (alertId: string): StreamSnapshot<AlertState> => {
    let snapshot = alerts.get(alertId);
    if (!snapshot) {
      snapshot = { state: alertDecider.initialState, revision: null };
      alerts.set(alertId, snapshot);
    }
    return snapshot;
  };

  /** Counts a new alert of the series, fired here or seen on the feed, once. */
  const adoptAlert = (ruleId: string, key: string | null, alertId: string) => {
    const owner = seriesOf(ruleId, key);
    if (owner.alertId === alertId) return;
    owner.alertId = alertId;
    owner.alerts += 1;
  };

  /**
   * A lag rule that starts (or starts again) on a pipeline whose run reported a moment ago takes
   * that report as its first observation. The feed orders events within a stream only: a report
   * may arrive before the rule it concerns, and waiting for the next report would delay the
   * pending period by one interval, or forever when the run reports no more. Other metrics need
   * two reports, and a report older than a minute is no longer news.
   */
  const seedFromLatestLag = (rule: AlertRuleState, now: number): Series[] => {
    if (rule.status !== 'enabled' || rule.condition.metric !== 'lag') return [];
    const { condition } = rule;
    let latest: ProgressSample | null = null;
    for (const run of runs.values()) {
      if (run.pipelineId === rule.pipelineId && run.last && (!latest || run.last.at > latest.at))
        latest = run.last;
    }
    if (!latest || now - latest.at > SEED_MAX_AGE_MS) return [];
    const one = seriesOf(rule.ruleId, null);
    one.track = observeValue(one.track, condition, latest.lag, latest.at);
    return [one];
  };

  return {
    series,
    rules,
    /** The id the series' next alert gets: the same in every process that folded the same events. */
    nextAlertId: (one: Series) => deterministicId(`alert/${one.ruleId}/${one.key ?? ''}/${one.alerts + 1}`),
    adoptAlert,
    alertOf,
    alertState: (one: Series): AlertState =>
      one.alertId ? alertOf(one.alertId).state : alertDecider.initialState,
    enabledRule: (ruleId: string): EnabledRule | null => {
      const rule = rules.get(ruleId);
      return isEnabled(rule) ? rule : null;
    },

    /** The sink topics of the pipelines that enabled aggregate rules watch. */
    watchedSinkTopics: (): Set<string> => {
      const topics = new Set<string>();
      for (const rule of rules.values()) {
        if (rule.status !== 'enabled' || rule.condition.metric !== 'aggregate') continue;
        const topic = sinkTopicOf(pipelines.get(rule.pipelineId));
        if (topic) topics.add(topic);
      }
      return topics;
    },

    /**
     * Folds one event of the feed; returns the series it may have changed. `now` stamps progress
     * observations; `observe` false (while catching up) keeps their counts without observing.
     */
    apply(event: PlatformEvent, now: number, observe: boolean): Series[] {
      const upcast = upcastEvent({ ...event, metadata: {}, recordedAt: new Date(0) });
      if (event.streamId.startsWith('alertrule-')) {
        const { ruleId } = upcast.data as AlertRuleEvent['data'];
        const before = rules.get(ruleId) ?? alertRuleDecider.initialState;
        const after = alertRuleDecider.evolve(before, upcast as unknown as AlertRuleEvent);
        rules.set(ruleId, after);
        // A changed condition is a new question: what was observed under the old one says nothing.
        const conditionChanged =
          before.status !== 'none' && after.status !== 'none' && before.condition !== after.condition;
        if (conditionChanged) {
          for (const one of series.values()) if (one.ruleId === ruleId) one.track = newSeriesTrack();
        }
        const starts = before.status !== 'enabled' && after.status === 'enabled';
        return observe && (starts || conditionChanged) ? seedFromLatestLag(after, now) : [];
      }
      if (event.streamId.startsWith('alert-')) {
        const data = upcast.data as AlertEvent['data'];
        const snapshot = alertOf(data.alertId);
        if (snapshot.revision !== null && event.revision <= snapshot.revision) return [];
        snapshot.state = alertDecider.evolve(snapshot.state, upcast as unknown as AlertEvent);
        snapshot.revision = event.revision;
        const { state } = snapshot;
        if (state.status === 'none') return [];
        if (upcast.type === 'AlertFired') adoptAlert(state.ruleId, state.key, state.alertId);
        const owner = series.get(seriesIdOf(state.ruleId, state.key));
        if (
          owner &&
          upcast.type === 'AlertResolved' &&
          (data as { resolution: string }).resolution === 'manual'
        ) {
          // Resolved by hand while still breaching: a whole pending period again before the next.
          owner.track = restartPending(owner.track, now);
        }
        return owner ? [owner] : [];
      }
      if (event.streamId.startsWith('pipeline-')) {
        const { pipelineId } = upcast.data as PipelineEvent['data'];
        const before = pipelines.get(pipelineId) ?? pipelineDecider.initialState;
        pipelines.set(pipelineId, pipelineDecider.evolve(before, upcast as unknown as PipelineEvent));
        return [];
      }
      const run = upcast as unknown as RunEvent;
      if (run.type === 'RunRequested') {
        runs.set(run.data.runId, { pipelineId: run.data.pipelineId, last: null });
        return [];
      }
      if (run.type !== 'RunProgressRecorded') return [];
      const followed = runs.get(run.data.runId);
      if (!followed) return [];
      const sample: ProgressSample = { at: now, counts: run.data.counts, lag: run.data.lag };
      const previous = followed.last;
      followed.last = sample;
      if (!observe) return [];
      const changed: Series[] = [];
      for (const rule of enabledRulesOf(followed.pipelineId)) {
        const { condition } = rule;
        if (condition.metric === 'aggregate') continue;
        const one = seriesOf(rule.ruleId, null);
        if (condition.metric === 'noRecords') {
          one.track = observeRecords(one.track, previous ? sample.counts.in - previous.counts.in : 0, now);
        } else {
          const value = pipelineMetricValue(condition.metric, previous, sample);
          if (value === null) continue;
          one.track = observeValue(one.track, condition, value, now);
        }
        changed.push(one);
      }
      return changed;
    },

    /** Observes one aggregate output read from `topic`; returns the series it changed. */
    observeOutput(topic: string, output: unknown, now: number): Series[] {
      if (typeof output !== 'object' || output === null) return [];
      const record = output as Record<string, unknown>;
      const key =
        typeof record.key === 'string' ? record.key : record.key == null ? null : String(record.key);
      if (key === null) return [];
      const changed: Series[] = [];
      for (const rule of [...rules.values()].filter(isEnabled)) {
        const { condition } = rule;
        if (condition.metric !== 'aggregate') continue;
        if (sinkTopicOf(pipelines.get(rule.pipelineId)) !== topic) continue;
        // Avro gives null for a key left out: every key.
        if (condition.key != null && condition.key !== key) continue;
        const value = record[condition.measure];
        if (typeof value !== 'number' || !Number.isFinite(value)) continue;
        const one = seriesOf(rule.ruleId, key);
        one.track = observeValue(one.track, condition, value, now);
        changed.push(one);
      }
      return changed;
    },
  };
};

export type AlertEvaluatorModel = ReturnType<typeof alertEvaluatorModel>;

const sinkTopicOf = (pipeline: PipelineState | undefined): string | null => {
  if (!pipeline || pipeline.status === 'none') return null;
  const { sink } = pipeline.definition;
  return 'topic' in sink && typeof sink.topic === 'string' ? sink.topic : null;
};
