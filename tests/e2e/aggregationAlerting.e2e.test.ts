import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Platform } from '../../src/platform.js';
import { signWebhookBody } from '../../src/processors/alerts/webhookSender.js';
import { webhookReceiver } from '../processors/alerts/notifierTestBed.js';
import { createTestSchema, dropTestSchema, testServices, uniqueTopic } from '../setup/testServices.js';
import { waitFor } from '../setup/waitFor.js';
import { type GraphQLResponse, graphql, subscribe } from './graphqlClient.js';
import { startTestPlatform } from './testPlatform.js';

/**
 * Issue 8's whole story over GraphQL, on the platform of `npm run dev` (the embedded log): a
 * pipeline that sums sales per region per second, its metrics as chart points, and an alert
 * on its output that fires, escalates to the next level's channel, and resolves by itself,
 * each step watched live and delivered to signed webhooks.
 */
const M = {
  channel: `mutation ($input: NotificationChannelInput!) { createNotificationChannel(input: $input) { channelId } }`,
  pipeline: `mutation ($input: CreatePipelineInput!) { createPipeline(input: $input) { pipelineId } }`,
  activate: `mutation ($id: ID!) { activatePipeline(id: $id) { pipelineId } }`,
  rule: `mutation ($input: CreateAlertRuleInput!) { createAlertRule(input: $input) { ruleId } }`,
};
const ALERT_FIRED = `subscription ($pipelineId: ID) {
  alertFired(pipelineId: $pipelineId) { alert { id ruleId key status level value channelIds } }
}`;
const ALERT_CHANGED = `subscription ($alertId: ID!) { alertChanged(alertId: $alertId) { event alert { status level } } }`;
const ALERT = `query ($id: ID!) {
  alert(id: $id) {
    status level key resolution
    history { event status level }
    deliveries { channelId trigger status }
  }
}`;
const METRICS = `query ($pipelineId: ID!, $from: DateTime!, $to: DateTime!) {
  pipelineMetrics(pipelineId: $pipelineId, from: $from, to: $to, step: 60) { points { recordsIn recordsOut } }
}`;
const SECRET = 'whsec-aggregation-alerting-0123456789';
const WINDOW_MS = 1_000;

const services = testServices();
const schema = createTestSchema('e2e_aggregation_alerting');
let platform: Platform;
let url: string;
let hooks: Awaited<ReturnType<typeof webhookReceiver>>;

const send = async <Data = Record<string, unknown>>(query: string, variables: Record<string, unknown>) => {
  const response = await graphql(url, query, variables);
  expect(response.errors).toBeUndefined();
  return Object.values(response.data ?? {})[0] as Data;
};
const dataOf = <T>(message: GraphQLResponse, field: string) => message.data?.[field] as T;

beforeAll(async () => {
  hooks = await webhookReceiver([200]);
  platform = await startTestPlatform(schema, {
    env: { SECRETS_KEYS: `k1:${randomBytes(32).toString('base64')}`, PROCESSOR_PROGRESS_INTERVAL_MS: '300' },
  });
  url = platform.graphqlUrl as string;
}, 60_000);
afterAll(async () => {
  await platform?.stop();
  await hooks?.close();
  await dropTestSchema(services.databaseUrl, schema);
});

describe('aggregation, its metrics and an alert on it, over GraphQL', () => {
  it('sums sales per region per window, charts the pipeline, and fires, escalates and resolves an alert on a region’s total', async () => {
    const from = new Date(Date.now() - 60_000).toISOString();
    // Given two signed webhook channels: the on-call team, then its manager.
    const channel = (name: string, team: string) =>
      send<{ channelId: string }>(M.channel, {
        input: {
          name,
          kind: 'webhook',
          webhook: { url: `${hooks.url}?to=${team}`, headers: [], signingSecret: SECRET },
        },
      });
    const onCall = (await channel('On call', 'on-call')).channelId;
    const manager = (await channel('Manager', 'manager')).channelId;

    // And an active pipeline summing sales per region per second of event time.
    const source = uniqueTopic('sales');
    const { pipelineId } = await send<{ pipelineId: string }>(M.pipeline, {
      input: {
        name: 'Sales per region',
        source: { topic: source },
        steps: [
          {
            aggregate: {
              window: { type: 'tumbling', sizeMs: WINDOW_MS },
              key: 'region',
              measures: [
                { name: 'total', fn: 'sum', expression: 'amount' },
                { name: 'sales', fn: 'count' },
              ],
            },
          },
        ],
        sink: { topic: uniqueTopic('sales-per-region') },
      },
    });
    await send(M.activate, { id: pipelineId });

    // And a rule: an EU window totalling over 100 fires at once to on-call, and escalates to the
    // manager 2 s later while nobody acknowledges.
    const { ruleId } = await send<{ ruleId: string }>(M.rule, {
      input: {
        pipelineId,
        name: 'EU sales spike',
        condition: {
          metric: 'aggregate',
          measure: 'total',
          key: 'eu',
          comparator: 'gt',
          threshold: 100,
          forSeconds: 0,
        },
        severity: 'critical',
        channelIds: [onCall],
        escalation: [{ afterSeconds: 2, channelIds: [manager] }],
      },
    });
    const fired = subscribe(url, ALERT_FIRED, { pipelineId });
    await fired.ready;

    // When EU sells 120 in one second and a later sale closes that window (one partition, so one watermark).
    const t0 = Math.floor(Date.now() / WINDOW_MS) * WINDOW_MS;
    const sale = (region: string, amount: number, at: number) => ({
      key: null,
      partition: 0,
      value: Buffer.from(JSON.stringify({ region, amount })),
      timestamp: at,
    });
    await platform.log.produce(source, [
      sale('eu', 70, t0 + 100),
      sale('us', 500, t0 + 200),
      sale('eu', 50, t0 + 300),
      sale('eu', 5, t0 + WINDOW_MS + 100),
    ]);

    // Then the alert fires for EU with the window's total, to on-call, signed.
    const firing = dataOf<{
      alert: {
        id: string;
        ruleId: string;
        key: string;
        status: string;
        level: number;
        value: number;
        channelIds: string[];
      };
    }>(await fired.next((message) => message.data?.alertFired !== undefined, 60_000), 'alertFired').alert;
    expect(firing).toMatchObject({
      ruleId,
      key: 'eu',
      status: 'firing',
      level: 1,
      value: 120,
      channelIds: [onCall],
    });
    const changes = subscribe(url, ALERT_CHANGED, { alertId: firing.id });
    await changes.ready;

    // And, unacknowledged, it escalates to level 2 and tells the manager.
    const escalated = await changes.next(
      (message) => dataOf<{ event: string }>(message, 'alertChanged')?.event === 'AlertEscalated',
      60_000,
    );
    expect(dataOf(escalated, 'alertChanged')).toEqual({
      event: 'AlertEscalated',
      alert: { status: 'firing', level: 2 },
    });

    // When the next EU window totals 5 and closes, the condition clears and the alert resolves by itself.
    await platform.log.produce(source, [sale('eu', 1, t0 + 2 * WINDOW_MS + 100)]);
    await changes.next(
      (message) => dataOf<{ event: string }>(message, 'alertChanged')?.event === 'AlertResolved',
      60_000,
    );

    const alert = await waitFor(async () => {
      const found = await send<{ deliveries: { trigger: string; status: string }[] }>(ALERT, {
        id: firing.id,
      });
      // Four deliveries: the firing to on-call, the escalation to the manager, the resolution to both.
      return found.deliveries.filter((delivery) => delivery.status === 'delivered').length >= 4
        ? found
        : null;
    }, 60_000);
    expect(alert).toMatchObject({
      status: 'resolved',
      level: 2,
      key: 'eu',
      resolution: 'auto',
      history: [
        { event: 'AlertFired', status: 'firing', level: 1 },
        { event: 'AlertEscalated', status: 'firing', level: 2 },
        { event: 'AlertResolved', status: 'resolved', level: 2 },
      ],
    });
    // Each notification reached the right team once, signed with the channel's secret.
    const told = (trigger: string) =>
      (alert.deliveries as { channelId: string; trigger: string; status: string }[])
        .filter((delivery) => delivery.trigger === trigger && delivery.status === 'delivered')
        .map((delivery) => delivery.channelId)
        .sort();
    expect(told('AlertFired')).toEqual([onCall]);
    expect(told('AlertEscalated')).toEqual([manager]);
    expect(told('AlertResolved')).toEqual([onCall, manager].sort());
    for (const { headers, body } of hooks.received) {
      expect(headers['x-tributary-signature']).toBe(
        signWebhookBody(SECRET, Number(headers['x-tributary-timestamp']), body),
      );
    }

    // And the pipeline's metrics chart every sale that came in.
    let recordsIn = 0;
    await waitFor(async () => {
      const to = new Date(Date.now() + 60_000).toISOString();
      const metrics = await send<{ points: { recordsIn: number }[] }>(METRICS, { pipelineId, from, to });
      recordsIn = metrics.points.reduce((total, point) => total + point.recordsIn, 0);
      return recordsIn >= 5;
    }, 60_000).catch(() => undefined);
    expect(recordsIn).toBe(5);

    await Promise.all([fired.close(), changes.close()]);
  }, 180_000);
});
