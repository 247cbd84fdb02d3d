import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertRuleSettings } from '../../../src/domain/alerts/alertRule.js';
import { uniqueTopic } from '../../setup/testServices.js';
import { logsUnderTest } from '../logsUnderTest.js';
import { type AlertLifecycleTestBed, alertLifecycleTestBed, someTicks } from './alertLifecycleTestBed.js';

const lagRule = (overrides: Partial<AlertRuleSettings> = {}): AlertRuleSettings => ({
  name: 'Orders lag',
  condition: { metric: 'lag', comparator: '>', threshold: 100, forSeconds: 60 },
  severity: 'critical',
  channelIds: ['ops'],
  repeatIntervalSeconds: 600,
  escalation: [
    { afterSeconds: 120, channelIds: ['pager'] },
    { afterSeconds: 300, channelIds: ['cto'] },
  ],
  ...overrides,
});

const typesOf = (events: { type: string }[]) => events.map((event) => event.type);

// Each test waits on a real broker, whose consumers a loaded machine can hold for many seconds.
describe.each(logsUnderTest)(
  'the alert lifecycle on $name, driven by a test clock',
  (logUnderTest) => {
    let bed: AlertLifecycleTestBed;
    beforeAll(async () => {
      bed = await alertLifecycleTestBed(logUnderTest);
    }, 60_000);
    afterAll(() => bed?.close());

    it('stays pending for the pending period, fires, escalates level by level unacknowledged, stops escalating once acknowledged, and resolves itself when the lag clears', async () => {
      const { time } = bed;
      time.begin();
      const pipelineId = 'p-lag';
      const ruleId = await bed.createRule(pipelineId, lagRule());
      const run = await bed.startRun(pipelineId);

      // Given the lag above the threshold
      await run.progress(500);
      expect(await bed.observed(ruleId, 500)).toMatchObject({ status: 'pending', alertId: null });

      // When 59 s pass, then it is still pending: nothing fired
      time.at(59);
      await someTicks();
      expect(await bed.alertEventsOf(ruleId)).toEqual([]);

      // When the pending period is over, then it fires to the rule's channels
      time.at(60);
      const fired = await bed.waitForEvent(ruleId, 'AlertFired');
      expect(fired.data).toMatchObject({ ruleId, value: 500, firedAt: time.iso(60), channelIds: ['ops'] });

      // When 120 s pass unacknowledged, then level 2 is told
      time.at(179);
      await someTicks();
      expect(typesOf(await bed.alertEventsOf(ruleId))).toEqual(['AlertFired']);
      time.at(180);
      const escalated = await bed.waitForEvent(ruleId, 'AlertEscalated');
      expect(escalated.data).toMatchObject({ level: 2, escalatedAt: time.iso(180), channelIds: ['pager'] });

      // When someone acknowledges, then neither level 3 (due at 360 s) nor a reminder (at 780 s) comes
      await bed.actOn(fired.alertId, {
        type: 'AcknowledgeAlert',
        data: { alertId: fired.alertId, acknowledgedBy: 'ana', acknowledgedAt: time.iso(200) },
      });
      time.at(1000);
      await someTicks();
      expect(typesOf(await bed.alertEventsOf(ruleId))).toEqual([
        'AlertFired',
        'AlertEscalated',
        'AlertAcknowledged',
      ]);

      // When the lag clears, then the alert resolves itself, telling everyone told of it
      await run.progress(20);
      const resolved = await bed.waitForEvent(ruleId, 'AlertResolved');
      expect(resolved.data).toMatchObject({
        resolution: 'auto',
        resolvedBy: null,
        resolvedAt: time.iso(1000),
        channelIds: ['ops', 'pager'],
      });
    });

    it('reminds once per repeat interval while unacknowledged, and holds escalation and reminders while silenced', async () => {
      const { time } = bed;
      time.begin();
      const pipelineId = 'p-repeat';
      const ruleId = await bed.createRule(
        pipelineId,
        lagRule({
          condition: { metric: 'lag', comparator: '>', threshold: 100, forSeconds: 0 },
          escalation: [{ afterSeconds: 900, channelIds: ['pager'] }],
        }),
      );
      const run = await bed.startRun(pipelineId);
      await run.progress(500);
      const fired = await bed.waitForEvent(ruleId, 'AlertFired');
      expect(fired.data).toMatchObject({ firedAt: time.iso(0) });

      // Just before the repeat interval nothing; at it, one reminder to those told
      time.at(599);
      await someTicks();
      expect(typesOf(await bed.alertEventsOf(ruleId))).toEqual(['AlertFired']);
      time.at(600);
      const reminded = await bed.waitForEvent(ruleId, 'AlertReminded');
      expect(reminded.data).toMatchObject({ level: 1, channelIds: ['ops'], remindedAt: time.iso(600) });
      await someTicks();
      expect(typesOf(await bed.alertEventsOf(ruleId))).toEqual(['AlertFired', 'AlertReminded']);

      // Silenced until 2000 s: the escalation due at 900 s and the reminder due at 1200 s wait
      await bed.actOn(fired.alertId, {
        type: 'SilenceAlert',
        data: { alertId: fired.alertId, until: time.iso(2000), silencedBy: 'ana', silencedAt: time.iso(610) },
      });
      time.at(1999);
      await someTicks();
      expect(typesOf(await bed.alertEventsOf(ruleId))).toEqual([
        'AlertFired',
        'AlertReminded',
        'AlertSilenced',
      ]);

      // When the silence ends, the escalation comes first; the next reminder a repeat interval after it
      time.at(2000);
      const escalated = await bed.waitForEvent(ruleId, 'AlertEscalated');
      expect(escalated.data).toMatchObject({ level: 2, channelIds: ['pager'], escalatedAt: time.iso(2000) });
      time.at(2599);
      await someTicks();
      expect(typesOf(await bed.alertEventsOf(ruleId))).toHaveLength(4);
      time.at(2600);
      const again = await bed.waitForEvent(ruleId, 'AlertReminded', 2);
      expect(again.data).toMatchObject({ level: 2, channelIds: ['ops', 'pager'] });
    });

    it('does not fire a flapping condition until a breach lasts the whole pending period, and then fires once', async () => {
      const { time } = bed;
      time.begin();
      const pipelineId = 'p-flap';
      const ruleId = await bed.createRule(pipelineId, lagRule({ escalation: [] }));
      const run = await bed.startRun(pipelineId);

      // Breach and clear every 20 s for 200 s: never 60 s in breach
      for (let second = 0; second < 200; second += 20) {
        time.at(second);
        const lag = second % 40 === 0 ? 500 + second : 10 + second / 20;
        await run.progress(lag);
        await bed.observed(ruleId, lag);
      }
      time.at(215);
      await someTicks();
      expect(await bed.alertEventsOf(ruleId)).toEqual([]);

      // A breach from 220 s that holds fires once, at 280 s
      time.at(220);
      await run.progress(900);
      await bed.observed(ruleId, 900);
      time.at(279);
      await someTicks();
      expect(await bed.alertEventsOf(ruleId)).toEqual([]);
      time.at(280);
      await bed.waitForEvent(ruleId, 'AlertFired');

      // It clears and breaches again at once: resolved, and pending again rather than firing
      time.at(290);
      await run.progress(30);
      await bed.waitForEvent(ruleId, 'AlertResolved');
      time.at(295);
      await run.progress(800);
      await bed.observed(ruleId, 800);
      time.at(350);
      await someTicks();
      expect(typesOf(await bed.alertEventsOf(ruleId))).toEqual(['AlertFired', 'AlertResolved']);
    });

    it('fires a noRecords rule once no record came in for its period, with no input at all, and resolves it when records come', async () => {
      const { time } = bed;
      time.begin();
      const pipelineId = 'p-quiet';
      const ruleId = await bed.createRule(pipelineId, {
        name: 'Orders stopped',
        condition: { metric: 'noRecords', forSeconds: 300 },
        severity: 'critical',
        channelIds: ['ops'],
      });
      const run = await bed.startRun(pipelineId);
      await run.progress(0, 10);
      await bed.observed(ruleId, 0);

      // Reports of nothing new, then silence: it fires 300 s after the last record came in
      time.at(100);
      await run.progress(0, 0);
      time.at(299);
      await someTicks();
      expect(await bed.alertEventsOf(ruleId)).toEqual([]);
      time.at(300);
      const fired = await bed.waitForEvent(ruleId, 'AlertFired');
      expect(fired.data).toMatchObject({ firedAt: time.iso(300), channelIds: ['ops'] });

      // When records come again, then it resolves
      time.at(400);
      await run.progress(0, 5);
      const resolved = await bed.waitForEvent(ruleId, 'AlertResolved');
      expect(resolved.data).toMatchObject({ resolution: 'auto', resolvedAt: time.iso(400) });
    });

    it('fires an aggregate-output rule for the key that breached only, and resolves it when that key clears', async () => {
      const { time } = bed;
      time.begin();
      const sinkTopic = uniqueTopic('totals');
      const pipelineId = await bed.createPipeline(sinkTopic);
      const ruleId = await bed.createRule(pipelineId, {
        name: 'Big totals',
        condition: { metric: 'aggregate', measure: 'total', comparator: '>', threshold: 100, forSeconds: 0 },
        severity: 'warning',
        channelIds: ['sales'],
      });
      const output = (key: string, total: number, windowStart: number) => ({
        key: Buffer.from(`${key}@${windowStart}`),
        value: Buffer.from(
          JSON.stringify({
            key,
            windowStart: time.iso(windowStart),
            windowEnd: time.iso(windowStart + 60),
            total,
          }),
        ),
      });

      // Given the outputs of one window: eu breaches, us does not
      await bed.log.produce(sinkTopic, [output('eu', 500, 0), output('us', 50, 0)]);
      const fired = await bed.waitForEvent(ruleId, 'AlertFired', 1, 'eu');
      expect(fired.data).toMatchObject({ ruleId, key: 'eu', value: 500, channelIds: ['sales'] });
      await bed.observed(ruleId, 50, 'us');
      await someTicks();
      expect(await bed.alertEventsOf(ruleId, 'us')).toEqual([]);

      // When the next window of eu is below the threshold, then its alert resolves
      time.at(60);
      await bed.log.produce(sinkTopic, [output('eu', 20, 60)]);
      const resolved = await bed.waitForEvent(ruleId, 'AlertResolved', 1, 'eu');
      expect(resolved.data).toMatchObject({ resolution: 'auto', channelIds: ['sales'] });
    });

    it('after a restart, continues the alerts it fired without firing, escalating or reminding twice', async () => {
      const { time } = bed;
      time.begin();
      const pipelineId = 'p-restart';
      const ruleId = await bed.createRule(
        pipelineId,
        lagRule({ condition: { metric: 'lag', comparator: '>', threshold: 100, forSeconds: 0 } }),
      );
      const run = await bed.startRun(pipelineId);
      await run.progress(500);
      await bed.waitForEvent(ruleId, 'AlertFired');
      time.at(120);
      await bed.waitForEvent(ruleId, 'AlertEscalated');

      // When the evaluator restarts, with the lag still high and nothing due yet
      await bed.restartEvaluator();
      await run.progress(600);
      await bed.observed(ruleId, 600);
      time.at(200);
      await someTicks();
      expect(typesOf(await bed.alertEventsOf(ruleId))).toEqual(['AlertFired', 'AlertEscalated']);

      // Then what is due next happens once
      time.at(300);
      await bed.waitForEvent(ruleId, 'AlertEscalated', 2);
      await someTicks();
      expect(typesOf(await bed.alertEventsOf(ruleId))).toEqual([
        'AlertFired',
        'AlertEscalated',
        'AlertEscalated',
      ]);
    });
  },
  180_000,
);
