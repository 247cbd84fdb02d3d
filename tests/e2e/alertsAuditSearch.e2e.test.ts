import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Platform } from '../../src/platform.js';
import { createTestSchema, dropTestSchema, testServices, uniqueTopic } from '../setup/testServices.js';
import { waitFor } from '../setup/waitFor.js';
import { type GraphQLResponse, graphql, subscribe } from './graphqlClient.js';
import { startTestPlatform } from './testPlatform.js';

const CREATE_PIPELINE = `mutation ($input: CreatePipelineInput!) { createPipeline(input: $input) { pipelineId position } }`;
const CREATE_RULE = `mutation ($input: CreateAlertRuleInput!) { createAlertRule(input: $input) { ruleId position } }`;
const UPDATE_RULE = `mutation ($id: ID!, $input: AlertRuleSettingsInput!) {
  updateAlertRule(id: $id, input: $input) { ruleId position }
}`;
const DISABLE_RULE = 'mutation ($id: ID!) { disableAlertRule(id: $id) { ruleId position } }';
const ENABLE_RULE = 'mutation ($id: ID!) { enableAlertRule(id: $id) { ruleId position } }';
const FIRE = 'mutation ($input: FireAlertInput!) { fireAlert(input: $input) { alertId position } }';
const ESCALATE = 'mutation ($id: ID!) { escalateAlert(id: $id) { alertId position } }';
const ACKNOWLEDGE = 'mutation ($id: ID!) { acknowledgeAlert(id: $id) { alertId position } }';
const SILENCE =
  'mutation ($id: ID!, $until: DateTime!) { silenceAlert(id: $id, until: $until) { alertId position } }';
const RESOLVE = 'mutation ($id: ID!) { resolveAlert(id: $id) { alertId position } }';
const RULE = `query ($id: ID!) {
  alertRule(id: $id) {
    id pipelineId name severity channelIds enabled createdBy updatedBy position
    condition { metric comparator threshold forSeconds }
  }
}`;
const RULES = `query ($filter: AlertRuleFilter, $first: Int, $after: String) {
  alertRules(filter: $filter, first: $first, after: $after) {
    edges { cursor node { id name } } pageInfo { hasNextPage endCursor } totalCount
  }
}`;
const ALERT = `query ($id: ID!) {
  alert(id: $id) {
    id ruleId ruleName pipelineId severity status level value firedBy acknowledgedBy resolvedBy resolution
    silencedBy silencedUntil position
    history { event by status level }
  }
}`;
const ALERTS = `query ($filter: AlertFilter) {
  alerts(filter: $filter) { edges { node { id status } } totalCount }
}`;
const AUDIT = `query ($filter: AuditFilter, $first: Int, $after: String) {
  auditLog(filter: $filter, first: $first, after: $after) {
    edges { node { position actor correlationId stream type summary data } }
    pageInfo { hasNextPage endCursor }
  }
}`;
const SEARCH = `query ($q: String!) {
  search(q: $q) { hits { kind id title subtitle rank } suggestions { kind id title similarity } }
}`;
const ALERT_FIRED = `subscription ($pipelineId: ID) {
  alertFired(pipelineId: $pipelineId) { position alert { id ruleId ruleName pipelineId severity status level value } }
}`;
const ALERT_CHANGED = `subscription ($alertId: ID!) {
  alertChanged(alertId: $alertId) { event alert { id status level key channelIds } }
}`;
const POLICY_RULE = `query ($id: ID!) {
  alertRule(id: $id) {
    condition { metric measure key comparator threshold forSeconds }
    channelIds repeatIntervalSeconds escalation { afterSeconds channelIds }
  }
}`;
const AUDIT_EVENTS = `subscription ($filter: AuditFilter) {
  auditEvents(filter: $filter) { position actor stream type summary }
}`;

type Data = Record<string, Record<string, unknown> | null>;
const services = testServices();
const schema = createTestSchema('e2e_alerts_audit');
let platform: Platform;
let url: string;

/** Sends an operation and returns its data, failing the test on any error. */
const send = async (
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
) => {
  const response = await graphql<Data>(url, query, variables, headers);
  expect(response.errors).toBeUndefined();
  return response.data!;
};
const field = <T>(response: GraphQLResponse, name: string) => response.data?.[name] as T;

const errorRate = { metric: 'errorRate', comparator: 'gt', threshold: 0.05, forSeconds: 60 };

beforeAll(async () => {
  platform = await startTestPlatform(schema, { redis: true, roles: ['api', 'projections'] });
  url = platform.graphqlUrl!;
});

afterAll(async () => {
  await platform?.stop();
  await dropTestSchema(services.databaseUrl, schema);
});

const createPipeline = async (name: string) => {
  const data = await send(CREATE_PIPELINE, {
    input: { name, source: { topic: uniqueTopic('in') }, steps: [], sink: { topic: uniqueTopic('out') } },
  });
  return data.createPipeline?.pipelineId as string;
};

describe('alerts, the audit log and search over GraphQL', () => {
  it('runs an alert from rule to resolution, live over WebSocket, and shows it in its read models', async () => {
    const pipelineId = await createPipeline('Payments settlement');
    const fired = subscribe(url, ALERT_FIRED, { pipelineId });
    await fired.ready;

    // Given a rule on the pipeline, changed, disabled and enabled again
    const created = await send(CREATE_RULE, {
      input: {
        pipelineId,
        name: 'Errors',
        condition: errorRate,
        severity: 'critical',
        channelIds: ['pager'],
      },
    });
    const ruleId = created.createAlertRule?.ruleId as string;
    expect(Number(created.createAlertRule?.position)).toBeGreaterThan(0);
    await send(UPDATE_RULE, {
      id: ruleId,
      input: { name: 'Settlement errors', condition: { ...errorRate, threshold: 0.1 }, severity: 'critical' },
    });
    expect(await send(DISABLE_RULE, { id: ruleId })).toEqual({
      disableAlertRule: { ruleId, position: expect.any(String) },
    });
    const enabled = await send(ENABLE_RULE, { id: ruleId });
    const rulePosition = enabled.enableAlertRule?.position;
    expect(await send(ENABLE_RULE, { id: ruleId })).toEqual({ enableAlertRule: { ruleId, position: null } });
    const rule = await waitFor(async () => {
      const read = await send(RULE, { id: ruleId });
      return read.alertRule?.position === rulePosition ? read : null;
    });
    expect(rule).toEqual({
      alertRule: {
        id: ruleId,
        pipelineId,
        name: 'Settlement errors',
        severity: 'critical',
        channelIds: [],
        enabled: true,
        createdBy: 'dev',
        updatedBy: 'dev',
        position: rulePosition,
        condition: { metric: 'errorRate', comparator: 'gt', threshold: 0.1, forSeconds: 60 },
      },
    });

    // When it fires, then the subscriber hears of it once the read model has it
    const fire = await send(FIRE, { input: { ruleId, value: 0.4 } });
    const alertId = fire.fireAlert?.alertId as string;
    const live = await fired.next(
      (m) => field<{ alert: { id: string } }>(m, 'alertFired')?.alert.id === alertId,
    );
    expect(live.data).toEqual({
      alertFired: {
        position: fire.fireAlert?.position,
        alert: {
          id: alertId,
          ruleId,
          ruleName: 'Settlement errors',
          pipelineId,
          severity: 'critical',
          status: 'firing',
          level: 1,
          value: 0.4,
        },
      },
    });
    await fired.close();

    // And people escalate, acknowledge, silence and resolve it
    await send(ESCALATE, { id: alertId });
    await send(ACKNOWLEDGE, { id: alertId });
    await send(SILENCE, { id: alertId, until: '2999-01-01T00:00:00Z' });
    const resolved = await send(RESOLVE, { id: alertId });
    const alert = await waitFor(async () => {
      const read = await send(ALERT, { id: alertId });
      return read.alert?.position === resolved.resolveAlert?.position ? read : null;
    });
    expect(alert).toEqual({
      alert: {
        id: alertId,
        ruleId,
        ruleName: 'Settlement errors',
        pipelineId,
        severity: 'critical',
        status: 'resolved',
        level: 2,
        value: 0.4,
        firedBy: 'dev',
        acknowledgedBy: 'dev',
        resolvedBy: 'dev',
        resolution: 'manual',
        silencedBy: 'dev',
        silencedUntil: '2999-01-01T00:00:00.000Z',
        position: resolved.resolveAlert?.position,
        history: [
          { event: 'AlertFired', by: 'dev', status: 'firing', level: 1 },
          { event: 'AlertEscalated', by: 'dev', status: 'firing', level: 2 },
          { event: 'AlertAcknowledged', by: 'dev', status: 'acknowledged', level: 2 },
          { event: 'AlertSilenced', by: 'dev', status: 'acknowledged', level: 2 },
          { event: 'AlertResolved', by: 'dev', status: 'resolved', level: 2 },
        ],
      },
    });
    const list = await send(ALERTS, { filter: { status: 'resolved', pipelineId } });
    expect(list).toEqual({
      alerts: { edges: [{ node: { id: alertId, status: 'resolved' } }], totalCount: 1 },
    });
    expect(await send(ALERTS, { filter: { status: 'firing', pipelineId } })).toEqual({
      alerts: { edges: [], totalCount: 0 },
    });
  });

  it('keeps an aggregate rule with its repeat interval and escalation policy, and an escalation tells the next level, live', async () => {
    const pipelineId = await createPipeline('Orders per country');
    const created = await send(CREATE_RULE, {
      input: {
        pipelineId,
        name: 'Big totals',
        condition: {
          metric: 'aggregate',
          measure: 'total',
          key: 'eu',
          comparator: 'gt',
          threshold: 100,
          forSeconds: 30,
        },
        severity: 'warning',
        channelIds: ['ops'],
        repeatIntervalSeconds: 900,
        escalation: [{ afterSeconds: 300, channelIds: ['pager'] }],
      },
    });
    const ruleId = created.createAlertRule?.ruleId as string;
    const rule = await waitFor(async () => (await send(POLICY_RULE, { id: ruleId })).alertRule);
    expect(rule).toEqual({
      condition: {
        metric: 'aggregate',
        measure: 'total',
        key: 'eu',
        comparator: 'gt',
        threshold: 100,
        forSeconds: 30,
      },
      channelIds: ['ops'],
      repeatIntervalSeconds: 900,
      escalation: [{ afterSeconds: 300, channelIds: ['pager'] }],
    });

    // When it fires and someone escalates it, then the change says who has been told
    const fire = await send(FIRE, { input: { ruleId, value: 500 } });
    const alertId = fire.fireAlert?.alertId as string;
    const changes = subscribe(url, ALERT_CHANGED, { alertId });
    await changes.ready;
    await send(ESCALATE, { id: alertId });
    const escalated = await changes.next(
      (m) => field<{ event: string }>(m, 'alertChanged')?.event === 'AlertEscalated',
    );
    expect(escalated.data).toEqual({
      alertChanged: {
        event: 'AlertEscalated',
        alert: { id: alertId, status: 'firing', level: 2, key: null, channelIds: ['ops', 'pager'] },
      },
    });
    await changes.close();

    // And a policy out of order is refused by its field
    const refused = await graphql(url, UPDATE_RULE, {
      id: ruleId,
      input: {
        name: 'Big totals',
        condition: { metric: 'aggregate', measure: 'total', comparator: 'gt', threshold: 100 },
        severity: 'warning',
        escalation: [
          { afterSeconds: 300, channelIds: ['pager'] },
          { afterSeconds: 200, channelIds: ['cto'] },
        ],
      },
    });
    expect(refused.errors?.[0]?.extensions).toEqual({
      code: 'VALIDATION_FAILED',
      category: 'VALIDATION',
      problems: [
        {
          path: 'escalation[1].afterSeconds',
          message: 'must be a whole number of seconds after 300 (the level before) and at most 604800',
        },
      ],
    });
  });

  it('refuses what the domain refuses, with the code and the fields', async () => {
    const pipelineId = await createPipeline('Refusals');
    expect(
      await graphql(url, CREATE_RULE, {
        input: {
          pipelineId,
          name: ' ',
          condition: { metric: 'noRecords', threshold: 3, forSeconds: 0 },
          severity: 'info',
        },
      }),
    ).toEqual({
      data: null,
      errors: [
        expect.objectContaining({
          path: ['createAlertRule'],
          extensions: {
            code: 'VALIDATION_FAILED',
            category: 'VALIDATION',
            problems: [
              { path: 'name', message: 'must be 1 to 100 characters' },
              { path: 'condition.forSeconds', message: 'must be a whole number from 1 to 86400' },
              { path: 'condition.threshold', message: 'noRecords compares nothing: leave it out' },
            ],
          },
        }),
      ],
    });
    const unknownRule = await graphql(url, FIRE, { input: { ruleId: 'no-such-rule', value: 1 } });
    expect(unknownRule.errors?.[0]?.extensions).toEqual({
      code: 'ALERT_RULE_NOT_FOUND',
      category: 'NOT_FOUND',
    });
    const unknownAlert = await graphql(url, ACKNOWLEDGE, { id: 'no-such-alert' });
    expect(unknownAlert).toEqual({
      data: null,
      errors: [expect.objectContaining({ extensions: { code: 'ALERT_NOT_FOUND', category: 'NOT_FOUND' } })],
    });
    expect(await graphql(url, RULES, { after: 'not-a-cursor' })).toEqual({
      data: null,
      errors: [
        expect.objectContaining({
          extensions: expect.objectContaining({
            code: 'VALIDATION_FAILED',
            problems: [expect.objectContaining({ path: 'after' })],
          }),
        }),
      ],
    });
  });

  it('shows every change in the audit log with its actor, correlation and summary, live and page by page', async () => {
    const correlation = { 'x-correlation-id': 'corr-audit-1' };
    const live = subscribe(url, AUDIT_EVENTS, { filter: { type: 'AlertRuleCreated' } });
    await live.ready;
    const pipelineId = await createPipeline('Audited pipeline');
    const created = await send(
      CREATE_RULE,
      {
        input: {
          pipelineId,
          name: 'Lagging',
          condition: { metric: 'lag', comparator: 'gte', threshold: 1000 },
          severity: 'warning',
        },
      },
      correlation,
    );
    const ruleId = created.createAlertRule?.ruleId as string;
    const updated = await send(
      UPDATE_RULE,
      {
        id: ruleId,
        input: {
          name: 'Lagging',
          condition: { metric: 'lag', comparator: 'gte', threshold: 5000 },
          severity: 'critical',
        },
      },
      correlation,
    );

    const heard = await live.next(
      (m) => field<{ stream: string }>(m, 'auditEvents')?.stream === `alertrule-${ruleId}`,
    );
    expect(heard.data).toEqual({
      auditEvents: {
        position: created.createAlertRule?.position,
        actor: 'dev',
        stream: `alertrule-${ruleId}`,
        type: 'AlertRuleCreated',
        summary: 'dev created alert rule Lagging on pipeline Audited pipeline',
      },
    });
    await live.close();

    const entries = await waitFor(async () => {
      const page = await send(AUDIT, { filter: { stream: `alertrule-${ruleId}` } });
      const edges = (page.auditLog?.edges ?? []) as { node: Record<string, unknown> }[];
      return edges.length === 2 ? edges.map((edge) => edge.node) : null;
    });
    expect(entries).toEqual([
      {
        position: updated.updateAlertRule?.position,
        actor: 'dev',
        correlationId: 'corr-audit-1',
        stream: `alertrule-${ruleId}`,
        type: 'AlertRuleUpdated',
        summary: 'dev updated alert rule Lagging: changed condition.threshold, severity',
        data: expect.any(String),
      },
      expect.objectContaining({ type: 'AlertRuleCreated', correlationId: 'corr-audit-1' }),
    ]);
    const pipelineEntry = await send(AUDIT, { filter: { stream: `pipeline-${pipelineId}`, actor: 'dev' } });
    expect(pipelineEntry.auditLog?.edges).toEqual([
      {
        node: expect.objectContaining({
          type: 'PipelineCreated',
          summary: 'dev created pipeline Audited pipeline',
        }),
      },
    ]);

    // Pages follow each other newest first, without a gap or a repeat
    const first = await send(AUDIT, { first: 2 });
    const second = await send(AUDIT, {
      first: 2,
      after: (first.auditLog!.pageInfo as { endCursor: string }).endCursor,
    });
    const positions = [first, second].flatMap((page) =>
      (page.auditLog!.edges as { node: { position: string } }[]).map((edge) => Number(edge.node.position)),
    );
    expect(positions).toHaveLength(4);
    expect(positions).toEqual([...positions].sort((a, b) => b - a));
    expect(new Set(positions).size).toBe(4);
  });

  it('finds a pipeline by a word of its name, and suggests it for a misspelt word', async () => {
    const pipelineId = await createPipeline('Pipeline for warehouse restocking');
    const found = await waitFor(async () => {
      const data = await send(SEARCH, { q: 'restocking' });
      return (data.search?.hits as unknown[] | undefined)?.length ? data : null;
    });
    expect(found).toEqual({
      search: {
        hits: [
          {
            kind: 'pipeline',
            id: pipelineId,
            title: 'Pipeline for warehouse restocking',
            subtitle: 'draft · version 1',
            rank: expect.any(Number),
          },
        ],
        suggestions: expect.any(Array),
      },
    });
    const typo = await send(SEARCH, { q: 'restokcing' });
    expect(typo.search?.hits).toEqual([]);
    expect(typo.search?.suggestions).toContainEqual({
      kind: 'pipeline',
      id: pipelineId,
      title: 'Pipeline for warehouse restocking',
      similarity: expect.any(Number),
    });
  });
});
