import { describe, expect, it } from 'vitest';
import type { AlertCondition } from '../../../src/domain/alerts/alertRule.js';
import { alertEvaluatorModel } from '../../../src/processors/alerts/alertEvaluatorModel.js';
import type { PlatformEvent } from '../../../src/processors/platformEventFeed.js';

const T0 = Date.parse('2026-03-01T10:00:00.000Z');
const iso = (seconds: number) => new Date(T0 + seconds * 1000).toISOString();

let position = 0;
const revisions = new Map<string, number>();
const event = (streamId: string, type: string, data: object): PlatformEvent => {
  const revision = (revisions.get(streamId) ?? -1) + 1;
  revisions.set(streamId, revision);
  position += 1;
  return { id: `e${position}`, streamId, revision, position, type, data };
};

const ruleCreated = (ruleId: string, pipelineId: string, condition: AlertCondition) =>
  event(`alertrule-${ruleId}`, 'AlertRuleCreated', {
    ruleId,
    pipelineId,
    name: ruleId,
    condition,
    severity: 'warning',
    channelIds: ['ops'],
    createdAt: iso(0),
  });
const pipelineCreated = (pipelineId: string, sinkTopic: string) =>
  event(`pipeline-${pipelineId}`, 'PipelineCreated', {
    pipelineId,
    name: 'Totals',
    version: 1,
    definition: {
      source: { topic: 'orders', format: 'json' },
      steps: [],
      sink: { topic: sinkTopic, format: 'json' },
    },
    createdAt: iso(0),
  });
const runRequested = (runId: string, pipelineId: string) =>
  event(`run-${runId}`, 'RunRequested', {
    runId,
    pipelineId,
    version: 1,
    kind: 'streaming',
    requestedAt: iso(0),
  });
const progress = (runId: string, inCount: number, lag: number) =>
  event(`run-${runId}`, 'RunProgressRecorded', {
    runId,
    counts: { in: inCount, out: inCount, filtered: 0, failed: 0, dlq: 0 },
    inFlight: 0,
    lag,
    checkpoint: {},
    recordedAt: iso(0),
  });

const lagAbove = (threshold: number): AlertCondition => ({
  metric: 'lag',
  comparator: '>',
  threshold,
  forSeconds: 60,
});
const totalAbove = (threshold: number, key?: string): AlertCondition => ({
  metric: 'aggregate',
  measure: 'total',
  ...(key !== undefined && { key }),
  comparator: '>',
  threshold,
  forSeconds: 0,
});

describe('the alert evaluator model', () => {
  it('observes run progress for the enabled rules of the run pipeline, and not while catching up', () => {
    const model = alertEvaluatorModel();
    model.apply(ruleCreated('r-lag', 'p-1', lagAbove(100)), T0, false);
    model.apply(ruleCreated('r-other', 'p-2', lagAbove(100)), T0, false);
    model.apply(runRequested('run-1', 'p-1'), T0, false);

    // History is no observation: the lag it reported may be long gone
    expect(model.apply(progress('run-1', 10, 500), T0, false)).toEqual([]);

    const [series, ...others] = model.apply(progress('run-1', 20, 400), T0 + 5000, true);
    expect(others).toEqual([]);
    expect(series).toMatchObject({ ruleId: 'r-lag', key: null, alertId: null });
    expect(series?.track).toEqual({ breachingSince: T0 + 5000, value: 400, lastRecordAt: null });
  });

  it('given a run report that arrives before the lag rule it concerns (events of two streams come in any order), when the rule arrives, then it observes that report', () => {
    const model = alertEvaluatorModel();
    model.apply(runRequested('run-1', 'p-1'), T0, true);
    expect(model.apply(progress('run-1', 10, 500), T0 + 1000, true)).toEqual([]);

    const [series, ...others] = model.apply(ruleCreated('r-lag', 'p-1', lagAbove(100)), T0 + 2000, true);
    expect(others).toEqual([]);
    expect(series).toMatchObject({ ruleId: 'r-lag', key: null });
    // Breaching since the report, not since the rule: the pending period counts from there.
    expect(series?.track).toMatchObject({ breachingSince: T0 + 1000, value: 500 });

    // A report a minute old says nothing about now: a rule arriving after that waits for the next.
    model.apply(runRequested('run-2', 'p-2'), T0, true);
    model.apply(progress('run-2', 10, 500), T0, true);
    expect(model.apply(ruleCreated('r-late', 'p-2', lagAbove(100)), T0 + 61_000, true)).toEqual([]);
  });

  it('observes an aggregate output per key, for the rules on the pipeline whose sink it was read from', () => {
    const model = alertEvaluatorModel();
    model.apply(pipelineCreated('p-1', 'totals'), T0, false);
    model.apply(ruleCreated('r-all', 'p-1', totalAbove(100)), T0, false);
    model.apply(ruleCreated('r-eu', 'p-1', totalAbove(100, 'eu')), T0, false);
    expect(model.watchedSinkTopics()).toEqual(new Set(['totals']));

    const us = model.observeOutput('totals', { key: 'us', total: 500 }, T0);
    expect(us.map((one) => [one.ruleId, one.key])).toEqual([['r-all', 'us']]);
    const eu = model.observeOutput('totals', { key: 'eu', total: 500 }, T0);
    expect(eu.map((one) => [one.ruleId, one.key])).toEqual([
      ['r-all', 'eu'],
      ['r-eu', 'eu'],
    ]);
    expect(model.observeOutput('other-topic', { key: 'eu', total: 500 }, T0)).toEqual([]);
    expect(model.observeOutput('totals', { key: 'eu', count: 3 }, T0)).toEqual([]);
  });

  it('forgets what it observed under a condition that changed, and reads the latest report again under the new one', () => {
    const model = alertEvaluatorModel();
    model.apply(ruleCreated('r-lag', 'p-1', lagAbove(100)), T0, false);
    model.apply(runRequested('run-1', 'p-1'), T0, false);
    model.apply(progress('run-1', 10, 500), T0, true);
    model.apply(
      event('alertrule-r-lag', 'AlertRuleUpdated', {
        ruleId: 'r-lag',
        name: 'r-lag',
        condition: lagAbove(1000),
        severity: 'warning',
        channelIds: [],
        updatedAt: iso(1),
      }),
      T0,
      true,
    );
    // 500 breached "above 100" since T0; above 1000 it does not: no breach carried over.
    expect([...model.series.values()][0]?.track).toEqual({
      breachingSince: null,
      value: 500,
      lastRecordAt: null,
    });
  });

  it('names the next alert of a series after the alerts it has seen, and counts each alert once', () => {
    const model = alertEvaluatorModel();
    model.apply(ruleCreated('r-lag', 'p-1', lagAbove(100)), T0, false);
    model.apply(runRequested('run-1', 'p-1'), T0, false);
    const [series] = model.apply(progress('run-1', 10, 500), T0, true);
    if (!series) throw new Error('no series');
    const first = model.nextAlertId(series);
    model.apply(
      event(`alert-${first}`, 'AlertFired', {
        alertId: first,
        ruleId: 'r-lag',
        value: 500,
        firedAt: iso(60),
      }),
      T0,
      true,
    );
    model.adoptAlert('r-lag', null, first);
    expect(series.alertId).toBe(first);
    expect(model.nextAlertId(series)).not.toBe(first);
    expect(model.alertState(series)).toMatchObject({ status: 'firing', alertId: first });
  });

  it('waits a whole pending period again after someone resolves an alert whose condition still holds', () => {
    const model = alertEvaluatorModel();
    model.apply(ruleCreated('r-lag', 'p-1', lagAbove(100)), T0, false);
    model.apply(runRequested('run-1', 'p-1'), T0, false);
    const [series] = model.apply(progress('run-1', 10, 500), T0, true);
    if (!series) throw new Error('no series');
    const alertId = model.nextAlertId(series);
    model.apply(
      event(`alert-${alertId}`, 'AlertFired', { alertId, ruleId: 'r-lag', value: 500, firedAt: iso(60) }),
      T0,
      true,
    );
    model.apply(
      event(`alert-${alertId}`, 'AlertResolved', {
        alertId,
        resolution: 'manual',
        resolvedBy: 'ana',
        resolvedAt: iso(90),
      }),
      T0 + 90_000,
      true,
    );
    expect(series.track.breachingSince).toBe(T0 + 90_000);
  });
});
