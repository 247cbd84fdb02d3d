import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { type AlertCommand, alertDecider, alertStreamId } from '../../../src/domain/alerts/alert.js';
import {
  type AlertRuleSettings,
  alertRuleDecider,
  alertRuleStreamId,
} from '../../../src/domain/alerts/alertRule.js';
import { pipelineDecider } from '../../../src/domain/pipelines/pipeline.js';
import { runDecider, runStreamId } from '../../../src/domain/runs/run.js';
import { deterministicId } from '../../../src/infra/eventstore/deterministicId.js';
import type { EventStore } from '../../../src/infra/eventstore/eventStore.js';
import { handleCommand } from '../../../src/infra/eventstore/handleCommand.js';
import { createPostgresEventStore } from '../../../src/infra/eventstore/postgresEventStore.js';
import { postgresEventStoreMigrations } from '../../../src/infra/eventstore/postgresEventStoreMigrations.js';
import type { Log } from '../../../src/infra/log/log.js';
import { migrate } from '../../../src/infra/postgres/migrate.js';
import { createPostgresPool } from '../../../src/infra/postgres/postgresPool.js';
import type { Clock } from '../../../src/infra/timing/clock.js';
import { startAlertEvaluator } from '../../../src/processors/alerts/alertEvaluator.js';
import { startEventRelay } from '../../../src/processors/relay/eventRelay.js';
import { relayMigrations } from '../../../src/processors/relay/relayMigrations.js';
import { createTestSchema, dropTestSchema, testServices, uniqueTopic } from '../../setup/testServices.js';
import { waitFor } from '../../setup/waitFor.js';
import type { LogUnderTest } from '../logsUnderTest.js';

/** A clock the test moves by hand: the evaluator reads the time from it and nothing else. */
export const testClock = (start = Date.parse('2026-03-01T10:00:00.000Z')) => {
  let origin = start;
  let now = start;
  const clock: Clock = { now: () => now };
  return {
    clock,
    /**
     * Starts a new scene a day after the last instant: time never goes back, so alerts of
     * earlier tests only ever see it move on. `at` and `iso` count from here.
     */
    begin: () => {
      origin = now + 86_400_000;
      now = origin;
    },
    /** Moves to `seconds` after the start. */
    at: (seconds: number) => {
      now = origin + seconds * 1000;
    },
    iso: (seconds: number) => new Date(origin + seconds * 1000).toISOString(),
  };
};

const TICK_MS = 20;
// Kafka on a loaded machine can hold a consumer for many seconds (a rebalance, a slow fetch):
// waits are generous, since what they wait for either happens or the test fails anyway.
const WAIT_MS = 60_000;
/** Long enough for the evaluator to have ticked many times: what has not happened by then will not. */
export const someTicks = () => new Promise((resolve) => setTimeout(resolve, TICK_MS * 15));

/**
 * What a processors process runs for alerting, minus the notifier: a schema with the event store,
 * the relay onto a topic of its own, and the alert evaluator on a test clock. Helpers write
 * rules, runs and their progress as the platform would, and read the alerts back.
 */
export const alertLifecycleTestBed = async (logUnderTest: LogUnderTest) => {
  const { databaseUrl } = testServices();
  const schema = createTestSchema('alerting');
  const pool = createPostgresPool({ connectionString: databaseUrl, schema, max: 8 });
  await migrate(pool, schema, [...postgresEventStoreMigrations, ...relayMigrations]);
  const eventStore: EventStore = createPostgresEventStore({ pool, schema });
  const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const opened = logUnderTest.open(schema);
  const log: Log = opened.log;
  const eventsTopic = uniqueTopic('alerting-events');
  await log.ensureTopic(eventsTopic);
  const relay = await startEventRelay({
    pool,
    schema,
    eventStore,
    log,
    logger,
    topic: eventsTopic,
    standbyRetryMs: 50,
    tickMs: 50,
  });
  const time = testClock();
  const groupPrefix = `test.alerts.${randomUUID()}`;
  const startEvaluator = () =>
    startAlertEvaluator({
      pool,
      schema,
      eventStore,
      log,
      logger,
      clock: time.clock,
      eventsTopic,
      tickMs: TICK_MS,
      standbyRetryMs: 50,
      groupPrefix,
    });
  let evaluator = await startEvaluator();
  const first = evaluator;
  await waitFor(async () => first.isEvaluating(), WAIT_MS);
  const context = (actor = 'ana') => ({ actor, occurredAt: time.iso(0) });

  const bed = {
    time,
    log,
    eventStore,
    evaluator: () => evaluator,
    /** Stops the evaluator and starts another, as a new process would, once it evaluates. */
    async restartEvaluator() {
      await evaluator.stop();
      evaluator = await startEvaluator();
      const started = evaluator;
      await waitFor(async () => started.isEvaluating(), WAIT_MS);
    },

    async createRule(pipelineId: string, settings: AlertRuleSettings) {
      const ruleId = randomUUID();
      await handleCommand(
        eventStore,
        alertRuleDecider,
        alertRuleStreamId(ruleId),
        { type: 'CreateAlertRule', data: { ruleId, pipelineId, ...settings, createdAt: time.iso(0) } },
        context(),
      );
      return ruleId;
    },

    /** A pipeline whose sink is `sinkTopic`, as the aggregate step writes its outputs there. */
    async createPipeline(sinkTopic: string) {
      const pipelineId = randomUUID();
      await handleCommand(
        eventStore,
        pipelineDecider,
        `pipeline-${pipelineId}`,
        {
          type: 'CreatePipeline',
          data: {
            pipelineId,
            name: 'Orders per country',
            definition: {
              source: { topic: uniqueTopic('orders'), format: 'json' },
              steps: [],
              sink: { topic: sinkTopic, format: 'json' },
            },
            createdAt: time.iso(0),
          },
        },
        context(),
      );
      return pipelineId;
    },

    /** A streaming run of the pipeline, started; `progress` reports its counts and lag. */
    async startRun(pipelineId: string) {
      const runId = randomUUID();
      const send = (command: Parameters<typeof runDecider.decide>[0]) =>
        handleCommand(eventStore, runDecider, runStreamId(runId), command, context('system:processor'));
      await send({
        type: 'RequestRun',
        data: {
          runId,
          pipelineId,
          version: 1,
          kind: 'streaming',
          requestedAt: time.iso(0),
          pipeline: { status: 'active', publishedVersions: [1] },
        },
      });
      await send({ type: 'StartRun', data: { runId, startedAt: time.iso(0) } });
      let recorded = 0;
      return {
        runId,
        /** Records a report; `arrived` records came in since the last, `failed` of them failed. */
        async progress(lag: number, arrived = 10, failed = 0) {
          recorded += arrived;
          await send({
            type: 'RecordRunProgress',
            data: {
              runId,
              counts: { in: recorded, out: recorded, filtered: 0, failed, dlq: 0 },
              lag,
              checkpoint: {},
              recordedAt: time.iso(0),
            },
          });
        },
      };
    },

    /** The evaluator's view of a series, once it has observed `value` there. */
    observed: (ruleId: string, value: number, key: string | null = null) =>
      waitFor(
        async () =>
          evaluator
            .seriesStatus()
            .find((one) => one.ruleId === ruleId && one.key === key && one.value === value),
        WAIT_MS,
      ),

    /**
     * The events of every alert of a rule's series (one key of an aggregate rule), oldest alert
     * first. Alert ids are `alert/<rule>/<key>/<n>` by design (so restarts and standbys agree).
     */
    async alertEventsOf(ruleId: string, key: string | null = null) {
      const events: { alertId: string; type: string; data: Record<string, unknown> }[] = [];
      for (let n = 1; ; n++) {
        const alertId = deterministicId(`alert/${ruleId}/${key ?? ''}/${n}`);
        const stream = await eventStore.readStream(alertStreamId(alertId));
        if (stream.length === 0) return events;
        for (const event of stream)
          events.push({ alertId, type: event.type, data: event.data as Record<string, unknown> });
      }
    },

    /** Waits until the rule's alerts hold an event of `type` (the `nth`, from 1), and returns it. */
    waitForEvent: (ruleId: string, type: string, nth = 1, key: string | null = null) =>
      waitFor(
        async () => (await bed.alertEventsOf(ruleId, key)).filter((event) => event.type === type)[nth - 1],
        WAIT_MS,
      ),

    /** Someone acts on an alert through the command path, as the API does. */
    async actOn(alertId: string, command: AlertCommand) {
      await handleCommand(eventStore, alertDecider, alertStreamId(alertId), command, context());
    },

    async close() {
      await evaluator.stop();
      await relay.stop();
      await opened.close();
      await eventStore.close();
      await pool.end();
      await dropTestSchema(databaseUrl, schema);
    },
  };
  return bed;
};

export type AlertLifecycleTestBed = Awaited<ReturnType<typeof alertLifecycleTestBed>>;
