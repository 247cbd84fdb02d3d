import { createHash } from 'node:crypto';
import { alertDecider, alertStreamId } from '../src/domain/alerts/alert.js';
import { alertRuleDecider, alertRuleStreamId } from '../src/domain/alerts/alertRule.js';
import { connectorDecider, connectorStreamId } from '../src/domain/connectors/connector.js';
import type { Decider } from '../src/domain/decider.js';
import { pipelineDecider, pipelineStreamId } from '../src/domain/pipelines/pipeline.js';
import type { PipelineDefinition } from '../src/domain/pipelines/pipelineDefinition.js';
import { pipelineFactsOf, runDecider, runStreamId } from '../src/domain/runs/run.js';
import { userDecider, userStreamId } from '../src/domain/users/user.js';
import type { EventToAppend } from '../src/infra/eventstore/eventStore.js';
import { EVENT_SCHEMA_VERSION } from '../src/infra/eventstore/handleCommand.js';

export interface StreamToAppend {
  streamId: string;
  events: EventToAppend[];
}

const RUNS_PER_PIPELINE = 3;
const PROGRESS_REPORTS_PER_RUN = 8;

/**
 * Sends commands to a decider as the command handler would, folding its own events, and
 * returns every event it decided: the events have exactly the shapes the domain writes.
 */
const play = <Command, Event extends { type: string; data: unknown }, State>(
  decider: Decider<Command, Event, State>,
  commands: readonly Command[],
  initial: State = decider.initialState,
) => {
  let state = initial;
  const events: Event[] = [];
  for (const command of commands) {
    const decided = decider.decide(command, state);
    state = decided.reduce(decider.evolve, state);
    events.push(...decided);
  }
  return { state, events };
};

const stream = (streamId: string, events: readonly { type: string; data: unknown }[], at: string) => ({
  streamId,
  events: events.map(({ type, data }) => ({
    type,
    data,
    metadata: { actor: 'bench', occurredAt: at, schemaVersion: EVENT_SCHEMA_VERSION },
  })),
});

const definition = (i: number, version: number): PipelineDefinition => ({
  source: { topic: `orders-${i}`, format: 'json' },
  steps: [{ kind: 'map', rename: { amt: 'amount', [`v${version}`]: 'version' }, drop: ['card'] }],
  sink: { topic: `orders-clean-${i}` },
});

/**
 * The history of one pipeline and what goes with it, about 40 events: the pipeline created,
 * a second version saved and published, activated, paused and resumed; three runs that start,
 * report progress eight times and complete; for one pipeline in ten a connector tested and an
 * alert rule whose alert fires, is acknowledged and resolved; for one in twenty-five a user
 * invited who signs in twice. Runs dominate, as they do in a live system.
 */
export const storyOf = (i: number): StreamToAppend[] => {
  const at = (second: number) => new Date(Date.UTC(2026, 0, 1) + i * 60_000 + second * 1_000).toISOString();
  const pipelineId = `p-${i}`;
  const pipeline = play(pipelineDecider, [
    {
      type: 'CreatePipeline',
      data: { pipelineId, name: `Orders ${i}`, definition: definition(i, 1), createdAt: at(0) },
    },
    {
      type: 'SavePipelineVersion',
      data: { pipelineId, definition: definition(i, 2), savedAt: at(1), knownConnectorIds: [] },
    },
    { type: 'PublishPipelineVersion', data: { pipelineId, version: 2, publishedAt: at(2) } },
    { type: 'ActivatePipeline', data: { pipelineId, activatedAt: at(3) } },
    { type: 'PausePipeline', data: { pipelineId, pausedAt: at(4) } },
    { type: 'ResumePipeline', data: { pipelineId, resumedAt: at(5) } },
  ]);
  const streams = [stream(pipelineStreamId(pipelineId), pipeline.events, at(0))];
  for (let r = 0; r < RUNS_PER_PIPELINE; r++) {
    const runId = `r-${i}-${r}`;
    const second = 10 + r * 20;
    const progress = Array.from({ length: PROGRESS_REPORTS_PER_RUN }, (_, n) => {
      const records = (n + 1) * 1_000;
      return {
        type: 'RecordRunProgress' as const,
        data: {
          runId,
          counts: { in: records, out: records - 20, filtered: 10, failed: 3, dlq: 10 },
          lag: (PROGRESS_REPORTS_PER_RUN - n) * 100,
          checkpoint: { [`orders-${i}/0`]: String(records) },
          recordedAt: at(second + 2 + n),
        },
      };
    });
    const run = play(runDecider, [
      {
        type: 'RequestRun',
        data: {
          runId,
          pipelineId,
          version: 2,
          kind: 'batch',
          requestedAt: at(second),
          pipeline: pipelineFactsOf(pipeline.state),
        },
      },
      { type: 'StartRun', data: { runId, startedAt: at(second + 1) } },
      ...progress,
      { type: 'CompleteRun', data: { runId, completedAt: at(second + 15) } },
    ]);
    streams.push(stream(runStreamId(runId), run.events, at(second)));
  }
  if (i % 10 === 0) streams.push(...connectorAndAlert(i, pipelineId, at));
  if (i % 25 === 0) streams.push(user(i, at));
  return streams;
};

const connectorAndAlert = (i: number, pipelineId: string, at: (second: number) => string) => {
  const connectorId = `c-${i}`;
  const connector = play(connectorDecider, [
    {
      type: 'CreateConnector',
      data: {
        connectorId,
        name: `Orders topic ${i}`,
        createdAt: at(70),
        direction: 'source',
        kind: 'kafka-topic',
        config: { topic: `orders-${i}`, format: 'json' },
      },
    },
    {
      type: 'RecordConnectionTest',
      data: { connectorId, configVersion: 1, outcome: 'ok', message: 'reached', testedAt: at(71) },
    },
  ]);
  const ruleId = `ar-${i}`;
  const rule = play(alertRuleDecider, [
    {
      type: 'CreateAlertRule',
      data: {
        ruleId,
        pipelineId,
        name: `Errors of ${i}`,
        condition: { metric: 'errorRate', comparator: '>', threshold: 0.05, forSeconds: 60 },
        severity: 'warning',
        channelIds: [],
        createdAt: at(72),
      },
    },
  ]);
  const alertId = `a-${i}`;
  const alert = play(alertDecider, [
    { type: 'FireAlert', data: { alertId, ruleId, value: 0.07, firedAt: at(73) } },
    { type: 'AcknowledgeAlert', data: { alertId, acknowledgedBy: 'u-0', acknowledgedAt: at(74) } },
    { type: 'ResolveAlert', data: { alertId, resolution: 'auto', resolvedAt: at(75) } },
  ]);
  return [
    stream(connectorStreamId(connectorId), connector.events, at(70)),
    stream(alertRuleStreamId(ruleId), rule.events, at(72)),
    stream(alertStreamId(alertId), alert.events, at(73)),
  ];
};

const user = (i: number, at: (second: number) => string) => {
  const userId = `u-${i}`;
  const invitation = createHash('sha256').update(`invitation-${i}`).digest('hex');
  const played = play(userDecider, [
    {
      type: 'InviteUser',
      data: {
        userId,
        email: `user${i}@example.com`,
        role: 'developer',
        invitationTokenHash: invitation,
        invitationExpiresAt: at(86_400),
        invitedAt: at(80),
      },
    },
    {
      type: 'AcceptInvitation',
      data: {
        userId,
        invitationTokenHash: invitation,
        passwordHash: `$scrypt$n=16384$salt${i}$hash${i}`,
        acceptedAt: at(81),
      },
    },
    { type: 'RecordLoginSucceeded', data: { userId, attemptedAt: at(82) } },
    { type: 'RecordLoginSucceeded', data: { userId, attemptedAt: at(83) } },
  ]);
  return stream(userStreamId(userId), played.events, at(80));
};
