import pg from 'pg';
import { type AlertCommand, alertDecider, alertStreamId } from '../../domain/alerts/alert.js';
import { type AlertAction, conditionStatus, nextAlertAction } from '../../domain/alerts/alertEvaluation.js';
import { TributaryError } from '../../errors.js';
import type { EventStore } from '../../infra/eventstore/eventStore.js';
import { handleCommand } from '../../infra/eventstore/handleCommand.js';
import type { Log, LogConsumer } from '../../infra/log/log.js';
import { type Clock, systemClock } from '../../infra/timing/clock.js';
import { interruptibleSleep } from '../../infra/timing/interruptibleSleep.js';
import type { Logger } from '../../logger.js';
import { leaderLock } from '../../projections/runner/leaderLock.js';
import { followPlatformEvents } from '../platformEventFeed.js';
import {
  type AlertEvaluatorModel,
  alertEvaluatorModel,
  type EnabledRule,
  type Series,
} from './alertEvaluatorModel.js';

/** Who the evaluator's alert events are recorded as. */
export const ALERTS_ACTOR = 'system:alerts';

export interface AlertEvaluatorOptions {
  pool: pg.Pool;
  /** The main schema: names the leader lock. */
  schema: string;
  eventStore: EventStore;
  log: Log;
  logger: Logger;
  clock?: Clock;
  /** The relay's topic; `tributary.events` by default. */
  eventsTopic?: string;
  /** How often every series is evaluated without new input; 5 s by default. */
  tickMs?: number;
  /** How often a process that does not lead tries to; 2 s by default. */
  standbyRetryMs?: number;
  /** Consumer groups on sink topics are `<prefix>.<topic>`; `tributary.alerts` by default. */
  groupPrefix?: string;
  /** A new client for the leader lock; a client of the pool's settings by default. */
  connectLock?: () => pg.Client;
}

/**
 * Evaluates alert rules and records what their alerts do, as commands through the alert
 * decider with actor `system:alerts`.
 *
 * Inputs: `tributary.events` (rules, alerts, pipelines, and RunProgressRecorded for pipeline
 * metrics), followed from the first event like the processor supervisor does, and the sink
 * topics of pipelines that enabled aggregate rules watch (a consumer group per topic). Each input
 * evaluates the series it touched; a tick every `tickMs` evaluates all of them, so pending turns
 * into firing, escalation, reminders and noRecords happen on time without new input. Time is the
 * clock's, never the records'.
 *
 * One evaluator decides at a time: the holder of an advisory leader lock (the projections'
 * `leaderLock`, keyed `alerts:evaluator`); other processes stand by and take over when its
 * session ends. What it does is idempotent besides: alert ids are derived from the rule, the key
 * and how many alerts the series had (`alert/<rule>/<key>/<n>`), every command has an id derived
 * from the alert and the step (`alerts:escalate:<alert>:<level>`, ...), and the decider refuses
 * what no longer applies. So a leader that lost its lock without noticing yet, or a restart in
 * the middle of a decision, writes nothing twice. After a restart the pending periods start
 * again (they live in memory): the safe side, since it delays a firing rather than repeating one.
 */
export const startAlertEvaluator = async (options: AlertEvaluatorOptions) => {
  const { logger, pool } = options;
  const clock = options.clock ?? systemClock;
  const standbyRetryMs = options.standbyRetryMs ?? 2_000;
  let stopped = false;
  let leading = false;
  let endLeadership: (() => void) | null = null;
  let current: AlertEvaluatorModel | null = null;
  let caughtUp = false;
  const idle = interruptibleSleep();

  const lock = leaderLock({
    connect:
      options.connectLock ??
      (() => new pg.Client({ ...pool.options, application_name: 'tributary-alerts-lock', keepAlive: true })),
    schema: options.schema,
    projection: 'alerts:evaluator',
    onLost: () => endLeadership?.(),
  });

  const loop = (async () => {
    while (!stopped) {
      try {
        if (await lock.tryAcquire()) {
          leading = true;
          await lead({
            ...options,
            clock,
            lock,
            setEnd: (end) => {
              endLeadership = end;
            },
            isStopped: () => stopped,
            onModel: (model) => {
              current = model;
            },
            onCaughtUp: (value) => {
              caughtUp = value;
            },
          });
        }
      } catch (error) {
        logger.error({ err: error }, 'alert evaluator stopped leading');
      } finally {
        if (leading) {
          leading = false;
          current = null;
          caughtUp = false;
          // Hand the lock on: another process may lead while this one waits.
          await lock.close();
        }
      }
      if (!stopped) await idle.sleep(standbyRetryMs);
    }
  })();

  return {
    isLeading: () => leading,
    /** True once this process leads and has caught up with the events: it evaluates from now on. */
    isEvaluating: () => leading && caughtUp,
    /**
     * How each series of the leader stands now: pending shows here before it fires. Empty in a
     * process that does not lead, and before the leader caught up with the events.
     */
    seriesStatus: () => {
      if (!current || !caughtUp) return [];
      const model = current;
      const now = clock.now();
      return [...model.series.values()].flatMap((one) => {
        const rule = model.enabledRule(one.ruleId);
        if (!rule) return [];
        return [
          {
            ruleId: one.ruleId,
            key: one.key,
            status: conditionStatus(rule.condition, one.track, now),
            value: one.track.value,
            breachingSince: one.track.breachingSince,
            alertId: one.alertId,
          },
        ];
      });
    },
    async stop() {
      stopped = true;
      endLeadership?.();
      idle.wake();
      await loop;
      await lock.close();
    },
  };
};

interface Leadership extends AlertEvaluatorOptions {
  clock: Clock;
  lock: { heartbeat(): Promise<void> };
  setEnd(end: () => void): void;
  isStopped(): boolean;
  onModel(model: AlertEvaluatorModel): void;
  onCaughtUp(caughtUp: boolean): void;
}

/** Evaluates until leadership ends (the lock lost, or a stop). */
const lead = async (options: Leadership) => {
  const { clock, logger, log, eventStore } = options;
  const model = alertEvaluatorModel();
  options.onModel(model);
  const consumers = new Map<string, LogConsumer>();
  let caughtUp = false;
  // Every input and tick is handled one after another, in arrival order: the model has one writer.
  let work: Promise<void> = Promise.resolve();
  const enqueue = (job: () => Promise<void>) => {
    work = work.then(job).catch((error: unknown) => logger.error({ err: error }, 'alert evaluation failed'));
    return work;
  };
  let end!: () => void;
  const ended = new Promise<void>((resolve) => {
    end = resolve;
    options.setEnd(resolve);
  });
  if (options.isStopped()) return;

  const evaluate = async (series: Iterable<Series>) => {
    for (const one of [...series]) {
      const rule = model.enabledRule(one.ruleId);
      if (!rule) continue;
      const now = clock.now();
      const status = conditionStatus(rule.condition, one.track, now);
      const action = nextAlertAction(rule, status, one.track.value, model.alertState(one), now);
      if (action) await act(model, { eventStore, logger }, one, rule, action, now);
    }
  };

  const watchSinks = async () => {
    for (const topic of model.watchedSinkTopics()) {
      if (consumers.has(topic)) continue;
      const consumer = await log.consume({
        groupId: `${options.groupPrefix ?? 'tributary.alerts'}.${topic}`,
        topics: [topic],
        fromBeginning: true,
        eachBatch: ({ records }) =>
          enqueue(async () => {
            const now = clock.now();
            const touched = new Set<Series>();
            for (const record of records) {
              let output: unknown;
              try {
                output = JSON.parse(record.value.toString('utf8'));
              } catch {
                continue; // Not an aggregate output: nothing to watch.
              }
              for (const one of model.observeOutput(topic, output, now)) touched.add(one);
            }
            await evaluate(touched);
          }),
      });
      consumers.set(topic, consumer);
    }
  };

  const feed = await followPlatformEvents({
    log,
    logger,
    topic: options.eventsTopic,
    streamPrefixes: ['alertrule-', 'alert-', 'pipeline-', 'run-'],
    onEvents: (events, nowCaughtUp) =>
      enqueue(async () => {
        const now = clock.now();
        const touched = new Set<Series>();
        // History only builds state: progress reported before this start is no observation now.
        for (const event of events) for (const one of model.apply(event, now, caughtUp)) touched.add(one);
        const firstTime = nowCaughtUp && !caughtUp;
        caughtUp = nowCaughtUp;
        if (!caughtUp) return;
        await watchSinks();
        options.onCaughtUp(true);
        await evaluate(firstTime ? model.series.values() : touched);
      }),
  });
  const tick = setInterval(() => {
    if (!caughtUp) return;
    void enqueue(async () => {
      // Acting on a lock lost unnoticed is harmless (see above), but stop as soon as we know.
      try {
        await options.lock.heartbeat();
      } catch {
        end();
        return;
      }
      await evaluate(model.series.values());
    }).catch(() => undefined);
  }, options.tickMs ?? 5_000);
  logger.info('alert evaluator leading');

  await ended;
  clearInterval(tick);
  await feed.stop();
  await Promise.all([...consumers.values()].map((consumer) => consumer.stop()));
  await work;
};

/** Records one action of a series' alert; a refusal (someone acknowledged first) is no failure. */
const act = async (
  model: AlertEvaluatorModel,
  services: { eventStore: EventStore; logger: Logger },
  series: Series,
  rule: EnabledRule,
  action: AlertAction,
  now: number,
) => {
  const at = new Date(now).toISOString();
  const alertId = action.type === 'fire' ? model.nextAlertId(series) : series.alertId;
  if (!alertId) return;
  const alert = model.alertOf(alertId);
  const [command, commandId] = commandOf(action, alertId, rule, series, at, alert.state);
  try {
    await handleCommand(
      services.eventStore,
      alertDecider,
      alertStreamId(alertId),
      command,
      { actor: ALERTS_ACTOR, commandId, occurredAt: at },
      { snapshot: alert },
    );
    services.logger.info(
      { alertId, ruleId: rule.ruleId, key: series.key, action: action.type },
      'alert changed',
    );
  } catch (error) {
    if (!(error instanceof TributaryError)) throw error;
    services.logger.debug({ err: error, alertId, action: action.type }, 'alert action refused');
  } finally {
    if (action.type === 'fire') model.adoptAlert(rule.ruleId, series.key, alertId);
  }
};

const commandOf = (
  action: AlertAction,
  alertId: string,
  rule: EnabledRule,
  series: Series,
  at: string,
  state: ReturnType<AlertEvaluatorModel['alertState']>,
): [AlertCommand, string] => {
  switch (action.type) {
    case 'fire':
      return [
        {
          type: 'FireAlert',
          data: {
            alertId,
            ruleId: rule.ruleId,
            value: action.value,
            firedAt: at,
            ...(series.key !== null && { key: series.key }),
            channelIds: action.channelIds,
          },
        },
        `alerts:fire:${alertId}`,
      ];
    case 'resolve':
      return [
        { type: 'ResolveAlert', data: { alertId, resolution: 'auto', resolvedAt: at } },
        `alerts:resolve:${alertId}`,
      ];
    case 'escalate':
      return [
        { type: 'EscalateAlert', data: { alertId, escalatedAt: at, channelIds: action.channelIds } },
        `alerts:escalate:${alertId}:${action.level}`,
      ];
    case 'remind':
      return [
        { type: 'RemindAlert', data: { alertId, remindedAt: at, channelIds: action.channelIds } },
        // One reminder per notification it follows.
        `alerts:remind:${alertId}:${state.status === 'none' ? '' : state.notifiedAt}`,
      ];
  }
};
