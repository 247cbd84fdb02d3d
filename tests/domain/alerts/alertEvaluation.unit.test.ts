import { describe, expect, it } from 'vitest';
import { type AlertEvent, type AlertState, alertDecider } from '../../../src/domain/alerts/alert.js';
import {
  conditionStatus,
  newSeriesTrack,
  nextAlertAction,
  observeRecords,
  observeValue,
  pipelineMetricValue,
  restartPending,
  type SeriesTrack,
} from '../../../src/domain/alerts/alertEvaluation.js';
import type { AlertCondition } from '../../../src/domain/alerts/alertRule.js';

const T0 = Date.parse('2026-03-01T10:00:00.000Z');
const s = (seconds: number) => T0 + seconds * 1000;
const iso = (seconds: number) => new Date(s(seconds)).toISOString();

const lagAbove100For60: Exclude<AlertCondition, { metric: 'noRecords' }> = {
  metric: 'lag',
  comparator: '>',
  threshold: 100,
  forSeconds: 60,
};
const observeAll = (values: [number, number][], condition = lagAbove100For60): SeriesTrack =>
  values.reduce((track, [at, value]) => observeValue(track, condition, value, s(at)), newSeriesTrack());

const policy = {
  channelIds: ['ops'],
  repeatIntervalSeconds: 3600,
  escalation: [
    { afterSeconds: 600, channelIds: ['pager'] },
    { afterSeconds: 1800, channelIds: ['cto'] },
  ],
};
const fold = (events: AlertEvent[]): AlertState =>
  events.reduce(alertDecider.evolve, alertDecider.initialState);
const firedAt0: AlertEvent = {
  type: 'AlertFired',
  data: { alertId: 'a', ruleId: 'r', value: 150, firedAt: iso(0), channelIds: ['ops'] },
};
const none = alertDecider.initialState;

describe('condition status: the pending period', () => {
  it('is unknown before any observation, ok while the comparison does not hold', () => {
    expect(conditionStatus(lagAbove100For60, newSeriesTrack(), s(0))).toBe('unknown');
    expect(conditionStatus(lagAbove100For60, observeAll([[0, 100]]), s(0))).toBe('ok');
  });

  it('is pending until the comparison has held for forSeconds, then breached', () => {
    const track = observeAll([
      [0, 150],
      [30, 200],
    ]);
    expect(conditionStatus(lagAbove100For60, track, s(59))).toBe('pending');
    expect(conditionStatus(lagAbove100For60, track, s(60))).toBe('breached');
  });

  it('starts the pending period again after one observation that does not breach (flapping)', () => {
    const track = observeAll([
      [0, 150],
      [50, 90],
      [55, 150],
    ]);
    expect(track.breachingSince).toBe(s(55));
    expect(conditionStatus(lagAbove100For60, track, s(100))).toBe('pending');
    expect(conditionStatus(lagAbove100For60, track, s(115))).toBe('breached');
  });

  it('breaches at once with a pending period of 0', () => {
    const atOnce = { ...lagAbove100For60, forSeconds: 0 };
    expect(conditionStatus(atOnce, observeAll([[0, 101]], atOnce), s(0))).toBe('breached');
  });

  it('compares with each comparator as written', () => {
    const statusOf = (comparator: '>' | '>=' | '<' | '<=', value: number) => {
      const condition = { ...lagAbove100For60, comparator, forSeconds: 0 };
      return conditionStatus(condition, observeAll([[0, value]], condition), s(0));
    };
    expect([statusOf('>', 100), statusOf('>=', 100), statusOf('<', 100), statusOf('<=', 100)]).toEqual([
      'ok',
      'breached',
      'ok',
      'breached',
    ]);
  });

  it('counts a breach that outlived a manual resolution only from that resolution', () => {
    const track = restartPending(observeAll([[0, 150]]), s(100));
    expect(conditionStatus(lagAbove100For60, track, s(120))).toBe('pending');
    expect(conditionStatus(lagAbove100For60, track, s(160))).toBe('breached');
  });
});

describe('condition status: no records', () => {
  const noRecordsFor120: AlertCondition = { metric: 'noRecords', forSeconds: 120 };

  it('breaches forSeconds after the last record came in, and clears when one comes', () => {
    let track = observeRecords(newSeriesTrack(), 5, s(0));
    track = observeRecords(track, 0, s(100));
    expect(conditionStatus(noRecordsFor120, track, s(119))).toBe('ok');
    expect(conditionStatus(noRecordsFor120, track, s(120))).toBe('breached');
    track = observeRecords(track, 1, s(130));
    expect(conditionStatus(noRecordsFor120, track, s(130))).toBe('ok');
  });

  it('counts from the first report when the pipeline never had a record', () => {
    const track = observeRecords(newSeriesTrack(), 0, s(0));
    expect(conditionStatus(noRecordsFor120, track, s(120))).toBe('breached');
  });
});

describe('pipeline metric values from progress reports', () => {
  const report = (at: number, inCount: number, failed: number, lag = 0) => ({
    at: s(at),
    counts: { in: inCount, failed },
    lag,
  });

  it('reads lag as reported, even from the first report', () => {
    expect(pipelineMetricValue('lag', null, report(0, 0, 0, 42))).toBe(42);
  });

  it('takes the error rate and throughput of the records between two reports', () => {
    expect(pipelineMetricValue('errorRate', report(0, 100, 1), report(10, 300, 51))).toBe(0.25);
    expect(pipelineMetricValue('throughput', report(0, 100, 1), report(10, 300, 51))).toBe(20);
  });

  it('tells no error rate when no record came in, and nothing from a first report', () => {
    expect(pipelineMetricValue('errorRate', report(0, 100, 1), report(10, 100, 1))).toBeNull();
    expect(pipelineMetricValue('throughput', null, report(10, 100, 1))).toBeNull();
  });
});

describe('next alert action', () => {
  it('fires a breached series with no open alert, to level 1 channels, and does nothing while pending', () => {
    expect(nextAlertAction(policy, 'breached', 150, none, s(60))).toEqual({
      type: 'fire',
      value: 150,
      channelIds: ['ops'],
    });
    expect(nextAlertAction(policy, 'pending', 150, none, s(30))).toBeNull();
  });

  it('resolves an open alert once the series is ok, acknowledged or not', () => {
    expect(nextAlertAction(policy, 'ok', 50, fold([firedAt0]), s(10))).toEqual({ type: 'resolve' });
    const acknowledged = fold([
      firedAt0,
      { type: 'AlertAcknowledged', data: { alertId: 'a', acknowledgedBy: 'u', acknowledgedAt: iso(5) } },
    ]);
    expect(nextAlertAction(policy, 'ok', 50, acknowledged, s(10))).toEqual({ type: 'resolve' });
    expect(nextAlertAction(policy, 'breached', 150, acknowledged, s(4000))).toBeNull();
  });

  it('escalates level by level after each afterSeconds from the firing', () => {
    expect(nextAlertAction(policy, 'breached', 150, fold([firedAt0]), s(599))).toBeNull();
    expect(nextAlertAction(policy, 'breached', 150, fold([firedAt0]), s(600))).toEqual({
      type: 'escalate',
      level: 2,
      channelIds: ['pager'],
    });
    const level2 = fold([
      firedAt0,
      {
        type: 'AlertEscalated',
        data: { alertId: 'a', level: 2, escalatedAt: iso(600), channelIds: ['pager'] },
      },
    ]);
    expect(nextAlertAction(policy, 'breached', 150, level2, s(1799))).toBeNull();
    expect(nextAlertAction(policy, 'breached', 150, level2, s(1800))).toEqual({
      type: 'escalate',
      level: 3,
      channelIds: ['cto'],
    });
  });

  it('reminds everyone told once per repeat interval after the last notification, once past the last level', () => {
    const noEscalation = { ...policy, escalation: [] };
    expect(nextAlertAction(noEscalation, 'breached', 150, fold([firedAt0]), s(3599))).toBeNull();
    expect(nextAlertAction(noEscalation, 'breached', 150, fold([firedAt0]), s(3600))).toEqual({
      type: 'remind',
      channelIds: ['ops'],
    });
    const reminded = fold([
      firedAt0,
      { type: 'AlertReminded', data: { alertId: 'a', level: 1, channelIds: ['ops'], remindedAt: iso(3600) } },
    ]);
    expect(nextAlertAction(noEscalation, 'breached', 150, reminded, s(7199))).toBeNull();
  });

  it('holds escalation and reminders while silenced, and takes them up when the silence ends', () => {
    const silenced = fold([
      firedAt0,
      {
        type: 'AlertSilenced',
        data: { alertId: 'a', until: iso(5000), silencedBy: 'u', silencedAt: iso(10) },
      },
    ]);
    expect(nextAlertAction(policy, 'breached', 150, silenced, s(4999))).toBeNull();
    expect(nextAlertAction(policy, 'breached', 150, silenced, s(5000))).toMatchObject({
      type: 'escalate',
      level: 2,
    });
    expect(nextAlertAction(policy, 'ok', 50, silenced, s(100))).toEqual({ type: 'resolve' });
  });

  it('fires a new alert after a resolved one only when breached again', () => {
    const resolved = fold([
      firedAt0,
      {
        type: 'AlertResolved',
        data: {
          alertId: 'a',
          resolution: 'auto',
          resolvedBy: null,
          resolvedAt: iso(30),
          channelIds: ['ops'],
        },
      },
    ]);
    expect(nextAlertAction(policy, 'pending', 150, resolved, s(40))).toBeNull();
    expect(nextAlertAction(policy, 'breached', 150, resolved, s(100))).toMatchObject({ type: 'fire' });
  });
});
