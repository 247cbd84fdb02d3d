import { alertDecider } from '../../../src/domain/alerts/alert.js';
import { alertRuleDecider } from '../../../src/domain/alerts/alertRule.js';
import { type ConnectorCommand, connectorDecider } from '../../../src/domain/connectors/connector.js';
import type { ConnectorSpec } from '../../../src/domain/connectors/connectorConfig.js';
import type { Decider } from '../../../src/domain/decider.js';
import type { EncryptedSecret } from '../../../src/domain/encryptedSecret.js';
import type { AccessDenied } from '../../../src/domain/permissions/accessDenied.js';
import { type PipelineCommand, pipelineDecider } from '../../../src/domain/pipelines/pipeline.js';
import type { PipelineDefinition } from '../../../src/domain/pipelines/pipelineDefinition.js';
import { type RunCommand, runDecider } from '../../../src/domain/runs/run.js';
import { type SessionCommand, sessionDecider } from '../../../src/domain/sessions/session.js';
import { type UserCommand, userDecider } from '../../../src/domain/users/user.js';
import { notificationEventExamples } from '../../domain/alerts/notificationChannelExamples.js';

/**
 * Realistic events of every type, as the deciders emit them: each aggregate's commands are decided
 * one after the other on the state the earlier events fold to, the way handleCommand does.
 */
export interface ExampleEvent {
  type: string;
  data: unknown;
}

const decideAll = <Command, Event, State>(
  decider: Decider<Command, Event, State>,
  commands: readonly Command[],
): Event[] => {
  let state = decider.initialState;
  return commands.flatMap((command) => {
    const events = decider.decide(command, state);
    state = events.reduce(decider.evolve, state);
    return events;
  });
};

const at = (minute: number) => new Date(Date.UTC(2026, 2, 1, 9, minute)).toISOString();

const encrypted = (ciphertext: string): EncryptedSecret => ({
  alg: 'AES-256-GCM',
  keyId: 'k-2026-01',
  iv: 'AAECAwQFBgcICQoL',
  tag: 'AAECAwQFBgcICQoLDA0ODw==',
  ciphertext,
});

const topicToTopic: PipelineDefinition = {
  source: { topic: 'orders.raw', format: 'json' },
  steps: [{ kind: 'map', rename: { cust: 'customerId', amt: 'amount' }, drop: ['internal'] }],
  sink: { topic: 'orders.clean' },
};
const connectorToConnector: PipelineDefinition = {
  source: { connectorId: 'crm' },
  steps: [
    { kind: 'filter', expr: 'amount > 10 && country == "DE"' },
    { kind: 'map', rename: {}, drop: ['notes'] },
  ],
  sink: { connectorId: 'warehouse' },
};
const orderSchema = JSON.stringify({
  type: 'record',
  name: 'Order',
  namespace: 'shop',
  fields: [
    { name: 'orderId', type: 'string' },
    { name: 'amount', type: 'double' },
  ],
});
// Avro on both ends, every step kind, and the delivery and retry a version may set.
const everyStepKind: PipelineDefinition = {
  source: { topic: 'orders.avro', format: 'avro', schema: orderSchema },
  steps: [
    { kind: 'map', rename: {}, drop: [], set: { cents: 'amount * 100' } },
    { kind: 'filter', expr: 'amount > 0' },
    { kind: 'rename', fields: { cents: 'amountCents' } },
    { kind: 'drop', fields: ['internal'] },
    { kind: 'cast', fields: { amountCents: 'long', placedAt: 'timestamp' } },
    {
      kind: 'default',
      values: { currency: 'EUR', quantity: 1, gift: false, tags: [], address: { country: 'DE' }, note: null },
    },
    { kind: 'dedupe', key: 'orderId', withinMs: 3_600_000 },
    {
      kind: 'enrich',
      lookup: { redis: { keyPrefix: 'customer:' } },
      key: 'customerId',
      into: 'customer',
      cacheTtlMs: 60_000,
      onMissing: 'null',
    },
    {
      kind: 'enrich',
      lookup: { postgres: { table: 'crm.regions', keyColumn: 'code' } },
      key: 'region',
      into: 'regionInfo',
      cacheTtlMs: 0,
      onMissing: 'fail',
    },
    { kind: 'validate', schema: orderSchema },
    {
      kind: 'aggregate',
      window: { type: 'hopping', sizeMs: 3_600_000, advanceMs: 600_000 },
      key: 'customerId',
      eventTime: 'placedAt',
      measures: [
        { name: 'orders', fn: 'count' },
        { name: 'revenue', fn: 'sum', expression: 'amount' },
        { name: 'customers', fn: 'distinctCount', expression: 'customerId' },
      ],
      allowedLatenessMs: 60_000,
      emit: 'onUpdate',
    },
  ],
  sink: { topic: 'orders.enriched', format: 'avro', schema: orderSchema },
  delivery: 'exactly-once',
  retry: { maxAttempts: 5, backoffMs: 100, maxBackoffMs: 10_000 },
};
const knownConnectorIds = ['crm', 'warehouse'];

const pipelineCommands = (pipelineId: string): PipelineCommand[] => [
  {
    type: 'CreatePipeline',
    data: { pipelineId, name: ' Orders ', definition: topicToTopic, createdAt: at(0) },
  },
  {
    type: 'SavePipelineVersion',
    data: { pipelineId, definition: connectorToConnector, savedAt: at(1), knownConnectorIds },
  },
  {
    type: 'SavePipelineVersion',
    data: { pipelineId, definition: everyStepKind, savedAt: at(1), knownConnectorIds },
  },
  { type: 'PublishPipelineVersion', data: { pipelineId, version: 2, publishedAt: at(2) } },
  { type: 'ActivatePipeline', data: { pipelineId, activatedAt: at(3) } },
  { type: 'PausePipeline', data: { pipelineId, pausedAt: at(4) } },
  { type: 'ResumePipeline', data: { pipelineId, resumedAt: at(5) } },
  { type: 'RollBackPipeline', data: { pipelineId, version: 1, rolledBackAt: at(6) } },
  // Active: archiving pauses first.
  { type: 'ArchivePipeline', data: { pipelineId, archivedAt: at(7) } },
];

const pipelineEvents = () => [
  ...decideAll(pipelineDecider, pipelineCommands('p-1')),
  ...decideAll(pipelineDecider, [
    {
      type: 'ClonePipeline',
      data: {
        pipelineId: 'p-2',
        name: 'Orders (copy)',
        definition: connectorToConnector,
        clonedFrom: { pipelineId: 'p-1', version: 2 },
        createdAt: at(8),
        knownConnectorIds,
      },
    },
  ]),
  ...decideAll(pipelineDecider, [
    {
      type: 'CreatePipelineFromTemplate',
      data: {
        pipelineId: 'p-3',
        name: 'Clickstream',
        definition: topicToTopic,
        templateId: 'tpl-topic-to-topic',
        createdAt: at(9),
        knownConnectorIds,
      },
    },
  ]),
];

const hash = (char: string) => char.repeat(64);
const userId = 'u-1';
const failedLogin = (minute: number): UserCommand => ({
  type: 'RecordLoginFailed',
  data: { userId, attemptedAt: at(minute) },
});

// A login, a refresh, the spent token presented again; then a logout of a second session.
const sessionEvents = () => {
  const start = (familyId: string, hash: string): SessionCommand => ({
    type: 'StartSession',
    data: { familyId, userId: 'u-1', refreshTokenHash: hash, expiresAt: at(50), startedAt: at(1) },
  });
  const refresh = (presentedTokenHash: string): SessionCommand => ({
    type: 'RefreshSession',
    data: {
      familyId: 'f-1',
      presentedTokenHash,
      refreshTokenHash: 'b'.repeat(64),
      expiresAt: at(52),
      refreshedAt: at(2),
    },
  });
  return [
    ...decideAll(sessionDecider, [
      start('f-1', 'a'.repeat(64)),
      refresh('a'.repeat(64)),
      refresh('a'.repeat(64)),
    ]),
    ...decideAll(sessionDecider, [
      start('f-2', 'c'.repeat(64)),
      {
        type: 'RevokeSession',
        data: { familyId: 'f-2', presentedTokenHash: 'c'.repeat(64), reason: 'logout', revokedAt: at(3) },
      },
    ]),
  ];
};

const userEvents = () => [
  ...decideAll(userDecider, [
    {
      type: 'BootstrapAdmin',
      data: {
        userId: 'u-0',
        email: ' Root@Example.com ',
        passwordHash: '$scrypt$ln=15,r=8,p=1$c2FsdA$aGFzaA',
        bootstrappedAt: at(0),
      },
    },
    // An invitation proves its address; a bootstrapped admin's address is verified apart.
    {
      type: 'RequestEmailVerification',
      data: { userId: 'u-0', tokenHash: hash('b'), expiresAt: at(59), requestedAt: at(2) },
    },
    { type: 'VerifyEmail', data: { userId: 'u-0', tokenHash: hash('b'), verifiedAt: at(3) } },
  ]),
  ...decideAll(userDecider, [
    {
      type: 'InviteUser',
      data: {
        userId,
        email: 'ana@example.com',
        role: 'developer',
        invitationTokenHash: hash('a'),
        invitationExpiresAt: at(59),
        invitedAt: at(0),
      },
    },
    {
      type: 'AcceptInvitation',
      data: {
        userId,
        invitationTokenHash: hash('a'),
        passwordHash: '$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA',
        acceptedAt: at(1),
      },
    },
    { type: 'ChangeRole', data: { userId, role: 'designer', changedAt: at(4) } },
    {
      type: 'ChangePassword',
      data: { userId, passwordHash: '$scrypt$ln=15,r=8,p=1$bmV3$aGFzaA', changedAt: at(5) },
    },
    { type: 'RecordLoginSucceeded', data: { userId, attemptedAt: at(6) } },
    // A login with a second factor records the step of the code it used.
    { type: 'RecordLoginSucceeded', data: { userId, attemptedAt: at(7), totpStep: 59_045_000 } },
    {
      type: 'IssueApiKey',
      data: {
        userId,
        keyId: 'key-1',
        name: 'CI',
        role: 'viewer',
        pipelineIds: ['p-1', 'p-2'],
        keyHash: hash('c'),
        prefix: 'trb_ab12',
        issuedAt: at(7),
      },
    },
    ...[8, 9, 10, 11, 12].map(failedLogin),
    { type: 'UnlockUser', data: { userId, unlockedAt: at(13) } },
    { type: 'RevokeApiKey', data: { userId, keyId: 'key-1', revokedAt: at(14) } },
    {
      type: 'IssueApiKey',
      data: {
        userId,
        keyId: 'key-2',
        name: 'Reports',
        role: 'designer',
        keyHash: hash('d'),
        prefix: 'trb_cd34',
        issuedAt: at(15),
      },
    },
    { type: 'DeactivateUser', data: { userId, deactivatedAt: at(16) } },
    { type: 'ReactivateUser', data: { userId, reactivatedAt: at(17) } },
  ]),
  // A password reset by its token, then a second factor set up, confirmed and turned off.
  ...decideAll(userDecider, [
    {
      type: 'BootstrapAdmin',
      data: {
        userId: 'u-9',
        email: 'ops@example.com',
        passwordHash: '$scrypt$ln=15,r=8,p=1$c2FsdA$aGFzaA',
        bootstrappedAt: at(0),
      },
    },
    {
      type: 'RequestPasswordReset',
      data: { userId: 'u-9', tokenHash: hash('e'), expiresAt: at(30), requestedAt: at(1) },
    },
    {
      type: 'ResetPassword',
      data: {
        userId: 'u-9',
        tokenHash: hash('e'),
        passwordHash: '$scrypt$ln=15,r=8,p=1$c2FsdDI$aGFzaDI',
        resetAt: at(2),
      },
    },
    {
      type: 'StartTotpEnrollment',
      data: { userId: 'u-9', secret: encrypted('dG90cHNlY3JldA=='), startedAt: at(3) },
    },
    { type: 'EnableTotp', data: { userId: 'u-9', enabledAt: at(4) } },
    { type: 'DisableTotp', data: { userId: 'u-9', disabledAt: at(5) } },
  ]),
];

/** Every kind of connector with every optional field set, and the two kinds whose minimal configs look alike. */
const connectorSpecs: ConnectorSpec[] = [
  {
    direction: 'source',
    kind: 'kafka-topic',
    config: {
      topic: 'partner.orders',
      format: 'avro',
      brokers: ['kafka-1.partner.example:9093', 'kafka-2.partner.example:9093'],
      sasl: { mechanism: 'scram-sha-512', username: 'tributary', password: encrypted('cGFzc3dvcmQ=') },
    },
  },
  {
    direction: 'source',
    kind: 'http-poll',
    config: {
      url: 'https://api.example.com/orders',
      method: 'POST',
      headers: { Authorization: encrypted('QmVhcmVyIHh5eg=='), Accept: 'application/json' },
      body: '{"since":"-5m"}',
      intervalSeconds: 60,
      recordsPath: 'data.items',
    },
  },
  {
    direction: 'source',
    kind: 'postgres-query',
    config: {
      connectionString: encrypted('cG9zdGdyZXM6Ly8='),
      query: "SELECT id, amount FROM orders WHERE updated_at > now() - interval '1 hour'",
      intervalSeconds: 300,
    },
  },
  { direction: 'source', kind: 'file-upload', config: { format: 'csv', delimiter: ';', hasHeader: false } },
  // The same shape as a file-upload config of format json: only the kind tells them apart.
  { direction: 'source', kind: 'webhook-ingest', config: { format: 'json' } },
  { direction: 'source', kind: 'file-upload', config: { format: 'json' } },
  {
    direction: 'source',
    kind: 'webhook-ingest',
    config: { format: 'ndjson', signingSecret: encrypted('c2lnbg==') },
  },
  { direction: 'sink', kind: 'kafka-topic', config: { topic: 'orders.clean', format: 'json' } },
  {
    direction: 'sink',
    kind: 'postgres-table',
    config: {
      connectionString: encrypted('cG9zdGdyZXM6Ly8='),
      table: 'analytics.orders',
      keyColumns: ['order_id'],
    },
  },
  {
    direction: 'sink',
    kind: 'webhook',
    config: {
      url: 'https://hooks.example.com/orders',
      method: 'PUT',
      headers: { 'X-Api-Key': encrypted('a2V5'), 'X-Source': 'tributary' },
      signingSecret: encrypted('c2lnbg=='),
    },
  },
];

const connectorEvents = () =>
  connectorSpecs.flatMap((spec, index) => {
    const connectorId = `c-${index + 1}`;
    const commands: ConnectorCommand[] = [
      {
        type: 'CreateConnector',
        data: { connectorId, name: `Connector ${index + 1}`, createdAt: at(0), ...spec },
      },
      { type: 'UpdateConnectorConfig', data: { connectorId, config: spec.config, updatedAt: at(1) } },
      {
        type: 'RecordConnectionTest',
        data: {
          connectorId,
          configVersion: 2,
          outcome: 'failed',
          message: 'connection refused',
          testedAt: at(2),
        },
      },
      { type: 'DeleteConnector', data: { connectorId, deletedAt: at(3) } },
    ];
    return decideAll(connectorDecider, commands);
  });

const pipeline = { status: 'active' as const, publishedVersions: [1, 2] };
const runCommands = (runId: string, end: RunCommand): RunCommand[] => [
  {
    type: 'RequestRun',
    data: { runId, pipelineId: 'p-1', version: 2, kind: 'streaming', requestedAt: at(0), pipeline },
  },
  { type: 'StartRun', data: { runId, startedAt: at(1) } },
  {
    type: 'RecordRunProgress',
    data: {
      runId,
      // Past 2^31: counts are longs.
      counts: { in: 5_000_000_000, out: 4_999_000_000, filtered: 990_000, failed: 12, dlq: 10_000 },
      lag: 42,
      checkpoint: { 'orders/0': '1834', 'orders/1': '1790' },
      latency: { avgMs: 12.5, maxMs: 40 },
      recordedAt: at(2),
    },
  },
  end,
];

const runEvents = () => [
  ...decideAll(
    runDecider,
    runCommands('r-1', { type: 'FailRun', data: { runId: 'r-1', reason: ' broker down ', failedAt: at(3) } }),
  ),
  ...decideAll(
    runDecider,
    runCommands('r-2', { type: 'CancelRun', data: { runId: 'r-2', cancelledAt: at(3) } }),
  ),
  ...decideAll(runDecider, [
    {
      type: 'RequestRun',
      data: { runId: 'r-3', pipelineId: 'p-1', version: 1, kind: 'batch', requestedAt: at(0), pipeline },
    },
    { type: 'StartRun', data: { runId: 'r-3', startedAt: at(1) } },
    {
      type: 'RecordRunProgress',
      data: {
        runId: 'r-3',
        counts: { in: 100, out: 90, filtered: 8, failed: 3, dlq: 2 },
        lag: 0,
        checkpoint: {},
        recordedAt: at(2),
      },
    },
    { type: 'CompleteRun', data: { runId: 'r-3', completedAt: at(3) } },
  ]),
  // Batch runs from an instant and (past 2^31: offsets are longs) from an offset.
  ...[{ timestamp: '2026-02-28T23:00:00+01:00' }, { offset: 3_000_000_000 }].flatMap((startFrom, index) =>
    decideAll(runDecider, [
      {
        type: 'RequestRun',
        data: {
          runId: `r-${4 + index}`,
          pipelineId: 'p-1',
          version: 2,
          kind: 'batch',
          requestedAt: at(0),
          pipeline,
          startFrom,
        },
      },
    ]),
  ),
];

const ruleId = 'ar-1';
const alertRuleEvents = () =>
  decideAll(alertRuleDecider, [
    {
      type: 'CreateAlertRule',
      data: {
        ruleId,
        pipelineId: 'p-1',
        name: ' Error rate ',
        condition: { metric: 'errorRate', comparator: '>=', threshold: 0.05, forSeconds: 120 },
        severity: 'critical',
        channelIds: ['ops-slack', 'pager'],
        createdAt: at(0),
      },
    },
    {
      type: 'UpdateAlertRule',
      data: {
        ruleId,
        name: 'Silence',
        condition: { metric: 'noRecords', forSeconds: 600 },
        severity: 'warning',
        channelIds: [],
        updatedAt: at(1),
      },
    },
    { type: 'DisableAlertRule', data: { ruleId, disabledAt: at(2) } },
    { type: 'EnableAlertRule', data: { ruleId, enabledAt: at(3) } },
    {
      type: 'UpdateAlertRule',
      data: {
        ruleId,
        name: 'Big orders',
        condition: {
          metric: 'aggregate',
          measure: 'total',
          key: 'eu',
          comparator: '>',
          threshold: 1e4,
          forSeconds: 60,
        },
        severity: 'critical',
        channelIds: ['ops-slack'],
        repeatIntervalSeconds: 3600,
        escalation: [{ afterSeconds: 600, channelIds: ['pager'] }],
        updatedAt: at(4),
      },
    },
  ]);

const alertEvents = () => [
  ...decideAll(alertDecider, [
    { type: 'FireAlert', data: { alertId: 'al-1', ruleId, value: 0.0731, firedAt: at(0) } },
    { type: 'SilenceAlert', data: { alertId: 'al-1', until: at(30), silencedBy: 'u-1', silencedAt: at(1) } },
    { type: 'EscalateAlert', data: { alertId: 'al-1', escalatedAt: at(31), channelIds: ['pager'] } },
    {
      type: 'RemindAlert',
      data: { alertId: 'al-1', remindedAt: at(32), channelIds: ['ops-slack', 'pager'] },
    },
    { type: 'AcknowledgeAlert', data: { alertId: 'al-1', acknowledgedBy: 'u-1', acknowledgedAt: at(32) } },
    {
      type: 'ResolveAlert',
      data: { alertId: 'al-1', resolution: 'manual', resolvedBy: 'u-1', resolvedAt: at(33) },
    },
  ]),
  ...decideAll(alertDecider, [
    {
      type: 'FireAlert',
      data: { alertId: 'al-2', ruleId, value: 1500, firedAt: at(0), key: 'eu', channelIds: ['ops-slack'] },
    },
    { type: 'ResolveAlert', data: { alertId: 'al-2', resolution: 'auto', resolvedAt: at(5) } },
  ]),
];

// Written by the API's authorization, not by a decider: one denial with every field, one without
// the optional ones.
const securityEvents = (): AccessDenied[] => [
  {
    type: 'AccessDenied',
    data: {
      actor: 'u-7',
      principalKind: 'user',
      role: 'viewer',
      action: 'pipeline.activate',
      reason: 'role viewer may not pipeline.activate',
      pipelineId: 'p-1',
      deniedAt: at(3),
    },
  },
  {
    type: 'AccessDenied',
    data: {
      actor: 'anonymous',
      principalKind: 'anonymous',
      action: 'run.read',
      reason: 'run.read needs a signed-in user or an API key',
      deniedAt: at(4),
    },
  },
];

export const domainEventExamples = (): ExampleEvent[] => [
  ...securityEvents(),
  ...userEvents(),
  ...sessionEvents(),
  ...connectorEvents(),
  ...pipelineEvents(),
  ...runEvents(),
  ...alertRuleEvents(),
  ...alertEvents(),
  ...notificationEventExamples(),
];
