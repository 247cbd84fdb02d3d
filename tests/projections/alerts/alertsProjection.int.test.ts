import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertEvent } from '../../../src/domain/alerts/alert.js';
import type { AlertRuleEvent } from '../../../src/domain/alerts/alertRule.js';
import type { RecordedEvent } from '../../../src/infra/eventstore/eventStore.js';
import { ALERT_HISTORY_COLUMNS, ALERT_VIEW } from '../../../src/projections/alerts/alertRow.js';
import { ALERT_RULE_COLUMNS } from '../../../src/projections/alerts/alertRuleRow.js';
import {
  ALERT_CHANGED,
  ALERT_FIRED,
  ALERT_RULE_CHANGED,
  alertsProjection,
} from '../../../src/projections/alerts/alertsProjection.js';
import type { LiveUpdate } from '../../../src/projections/projection.js';
import { projectionTestBed } from '../projectionTestBed.js';

const bed = projectionTestBed(alertsProjection);
beforeAll(bed.setUp);
afterAll(bed.tearDown);

const T = (minute: number) => new Date(Date.UTC(2026, 0, 1, 0, minute)).toISOString();
const at = (minute: number) => new Date(T(minute));
const FAR_FUTURE = '2999-01-01T00:00:00.000Z';

const ruleEvents = (ruleId: string, events: AlertRuleEvent[]) => bed.record(`alertrule-${ruleId}`, events);
const alertEvents = (alertId: string, events: AlertEvent[]) => bed.record(`alert-${alertId}`, events);

/** Applies a batch in one transaction, as the runner does, and returns its live updates. */
const apply = async (events: readonly RecordedEvent[]): Promise<LiveUpdate[]> => {
  const client = await bed.pool.connect();
  try {
    await client.query('BEGIN');
    const updates = await alertsProjection.apply(client, events);
    await client.query('COMMIT');
    return updates;
  } finally {
    client.release();
  }
};

const ruleRow = async (id: string) =>
  (await bed.pool.query(`SELECT ${ALERT_RULE_COLUMNS} FROM alert_rules WHERE id = $1`, [id])).rows[0];
const alertRow = async (id: string) =>
  (await bed.pool.query(`SELECT * FROM ${ALERT_VIEW} WHERE id = $1`, [id])).rows[0];
const historyOf = async (id: string) =>
  (
    await bed.pool.query(
      `SELECT ${ALERT_HISTORY_COLUMNS} FROM alert_history WHERE alert_id = $1 ORDER BY position`,
      [id],
    )
  ).rows;

const errorRateRule = (ruleId: string, pipelineId: string): AlertRuleEvent => ({
  type: 'AlertRuleCreated',
  data: {
    ruleId,
    pipelineId,
    name: 'Error rate high',
    condition: { metric: 'errorRate', comparator: '>', threshold: 0.05, forSeconds: 60 },
    severity: 'critical',
    channelIds: ['pager'],
    createdAt: T(0),
  },
});
const fired = (alertId: string, ruleId: string, minute: number): AlertEvent => ({
  type: 'AlertFired',
  data: { alertId, ruleId, value: 0.25, firedAt: T(minute) },
});

describe('alerts read models', () => {
  it('keeps a rule with its settings, who changed it and whether it is enabled, the same when delivered twice', async () => {
    const events = ruleEvents('r-1', [
      errorRateRule('r-1', 'p-1'),
      {
        type: 'AlertRuleUpdated',
        data: {
          ruleId: 'r-1',
          name: 'No records',
          condition: { metric: 'noRecords', forSeconds: 300 },
          severity: 'warning',
          channelIds: [],
          updatedAt: T(5),
        },
      },
      { type: 'AlertRuleDisabled', data: { ruleId: 'r-1', disabledAt: T(6) } },
    ]);
    await bed.deliverTwice(events);
    expect(await ruleRow('r-1')).toEqual({
      id: 'r-1',
      pipeline_id: 'p-1',
      name: 'No records',
      condition: { metric: 'noRecords', forSeconds: 300 },
      severity: 'warning',
      channel_ids: [],
      enabled: false,
      created_at: at(0),
      created_by: 'test',
      updated_at: at(6),
      updated_by: 'test',
      last_position: events.at(-1)?.position,
      // Written before rules had them: the defaults.
      repeat_interval_seconds: 14_400,
      escalation: [],
    });
  });

  it('keeps the aggregate condition, repeat interval and escalation levels of a rule', async () => {
    const events = ruleEvents('r-9', [
      {
        type: 'AlertRuleCreated',
        data: {
          ruleId: 'r-9',
          pipelineId: 'p-9',
          name: 'Big orders',
          condition: {
            metric: 'aggregate',
            measure: 'total',
            key: 'eu',
            comparator: '>',
            threshold: 100,
            forSeconds: 0,
          },
          severity: 'info',
          channelIds: ['ops'],
          repeatIntervalSeconds: 600,
          escalation: [{ afterSeconds: 300, channelIds: ['pager'] }],
          createdAt: T(0),
        },
      },
    ]);
    await bed.deliverTwice(events);
    expect(await ruleRow('r-9')).toMatchObject({
      condition: {
        metric: 'aggregate',
        measure: 'total',
        key: 'eu',
        comparator: '>',
        threshold: 100,
        forSeconds: 0,
      },
      repeat_interval_seconds: 600,
      escalation: [{ afterSeconds: 300, channelIds: ['pager'] }],
    });
  });

  it('follows an alert from firing through escalation and acknowledgement to resolution, with one history row per event', async () => {
    const rule = ruleEvents('r-2', [errorRateRule('r-2', 'p-2')]);
    const alert = alertEvents('a-2', [
      fired('a-2', 'r-2', 10),
      {
        type: 'AlertEscalated',
        data: { alertId: 'a-2', level: 2, escalatedAt: T(15), channelIds: ['oncall'] },
      },
      {
        type: 'AlertReminded',
        data: { alertId: 'a-2', level: 2, channelIds: ['pager', 'oncall'], remindedAt: T(16) },
      },
      { type: 'AlertAcknowledged', data: { alertId: 'a-2', acknowledgedBy: 'ann', acknowledgedAt: T(16) } },
      {
        type: 'AlertResolved',
        data: { alertId: 'a-2', resolution: 'manual', resolvedBy: 'bob', resolvedAt: T(20) },
      },
    ]);
    await bed.deliverTwice([...rule, ...alert]);
    expect(await alertRow('a-2')).toEqual({
      id: 'a-2',
      rule_id: 'r-2',
      rule_name: 'Error rate high',
      pipeline_id: 'p-2',
      severity: 'critical',
      status: 'resolved',
      level: 2,
      value: 0.25,
      fired_at: at(10),
      fired_by: 'test',
      acknowledged_at: at(16),
      acknowledged_by: 'ann',
      resolved_at: at(20),
      resolved_by: 'bob',
      resolution: 'manual',
      silenced_at: null,
      silenced_by: null,
      silenced_until: null,
      escalated_at: at(15),
      updated_at: at(20),
      last_position: alert.at(-1)?.position,
      series_key: null,
      // The firing told nobody (an event from before channels); then each channel once, in the order first told.
      channel_ids: ['oncall', 'pager'],
      reminded_at: at(16),
      notified_at: at(16),
    });
    const positions = alert.map((event) => event.position);
    expect(await historyOf('a-2')).toEqual(
      [
        { event_type: 'AlertFired', at: at(10), by_whom: 'test', status: 'firing', level: 1 },
        { event_type: 'AlertEscalated', at: at(15), by_whom: 'test', status: 'firing', level: 2 },
        { event_type: 'AlertReminded', at: at(16), by_whom: 'test', status: 'firing', level: 2 },
        { event_type: 'AlertAcknowledged', at: at(16), by_whom: 'ann', status: 'acknowledged', level: 2 },
        { event_type: 'AlertResolved', at: at(20), by_whom: 'bob', status: 'resolved', level: 2 },
      ].map((row, index) => ({
        position: positions[index],
        alert_id: 'a-2',
        details: alert[index]?.data,
        ...row,
      })),
    );
  });

  it('reads a silenced alert as silenced until its silence has passed, then as firing again', async () => {
    const rule = ruleEvents('r-3', [errorRateRule('r-3', 'p-3')]);
    const silence = (alertId: string, until: string): AlertEvent => ({
      type: 'AlertSilenced',
      data: { alertId, until, silencedBy: 'ann', silencedAt: T(31) },
    });
    await bed.deliverTwice([
      ...rule,
      ...alertEvents('a-3', [fired('a-3', 'r-3', 30), silence('a-3', FAR_FUTURE)]),
      ...alertEvents('a-4', [fired('a-4', 'r-3', 30), silence('a-4', T(32))]),
    ]);
    expect(await alertRow('a-3')).toMatchObject({
      status: 'silenced',
      silenced_by: 'ann',
      silenced_at: at(31),
      silenced_until: new Date(FAR_FUTURE),
    });
    expect(await alertRow('a-4')).toMatchObject({ status: 'firing', silenced_until: at(32) });
  });

  it('keeps an acknowledged alert acknowledged when it is silenced', async () => {
    await bed.deliverTwice([
      ...ruleEvents('r-5', [errorRateRule('r-5', 'p-5')]),
      ...alertEvents('a-5', [
        fired('a-5', 'r-5', 40),
        { type: 'AlertAcknowledged', data: { alertId: 'a-5', acknowledgedBy: 'ann', acknowledgedAt: T(41) } },
        {
          type: 'AlertSilenced',
          data: { alertId: 'a-5', until: FAR_FUTURE, silencedBy: 'ann', silencedAt: T(42) },
        },
      ]),
    ]);
    expect(await alertRow('a-5')).toMatchObject({
      status: 'acknowledged',
      silenced_until: new Date(FAR_FUTURE),
    });
  });

  it('publishes a fired alert and every change once, and nothing for events it has already applied', async () => {
    const rule = ruleEvents('r-6', [errorRateRule('r-6', 'p-6')]);
    const alert = alertEvents('a-6', [
      fired('a-6', 'r-6', 50),
      { type: 'AlertReminded', data: { alertId: 'a-6', level: 1, channelIds: ['pager'], remindedAt: T(51) } },
      { type: 'AlertAcknowledged', data: { alertId: 'a-6', acknowledgedBy: 'ann', acknowledgedAt: T(52) } },
    ]);
    const [ruleCreated, alertFired, reminded, acknowledged] = [...rule, ...alert].map((event) =>
      String(event.position),
    );
    const updates = await apply([...rule, ...alert]);
    expect(
      updates.map((update) => [update.topic, (update.payload as { position: string }).position]),
    ).toEqual([
      [ALERT_RULE_CHANGED, ruleCreated],
      [ALERT_FIRED, alertFired],
      [ALERT_CHANGED, alertFired],
      [ALERT_CHANGED, reminded],
      [ALERT_CHANGED, acknowledged],
    ]);
    expect(updates[3]?.payload).toMatchObject({
      event: 'AlertReminded',
      alert: { id: 'a-6', remindedAt: T(51), notifiedAt: T(51), channelIds: ['pager'] },
    });
    expect(updates[1]?.payload).toEqual({
      position: alertFired,
      alert: expect.objectContaining({
        id: 'a-6',
        ruleId: 'r-6',
        ruleName: 'Error rate high',
        pipelineId: 'p-6',
        severity: 'critical',
        status: 'firing',
        level: 1,
        value: 0.25,
        firedAt: T(50),
        position: alertFired,
      }),
    });
    expect(JSON.parse(JSON.stringify(updates))).toEqual(updates);
    expect(await apply([...rule, ...alert])).toEqual([]);
  });

  it('keeps an alert of a rule it has never seen, without pipeline or severity', async () => {
    await bed.deliverTwice(alertEvents('a-7', [fired('a-7', 'r-unknown', 60)]));
    expect(await alertRow('a-7')).toMatchObject({
      rule_id: 'r-unknown',
      rule_name: null,
      pipeline_id: null,
      severity: null,
      status: 'firing',
    });
  });
});
