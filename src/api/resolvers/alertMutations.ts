import type { IResolvers } from 'mercurius';
import { type AlertCommand, alertDecider, alertStreamId } from '../../domain/alerts/alert.js';
import { type AlertRuleCommand, alertRuleDecider, alertRuleStreamId } from '../../domain/alerts/alertRule.js';
import { TributaryError } from '../../errors.js';
import { deterministicId } from '../../infra/eventstore/deterministicId.js';
import type { RecordedEvent } from '../../infra/eventstore/eventStore.js';
import { upcastEvent } from '../../infra/eventstore/upcast.js';
import type { ApiContext } from '../apiServices.js';
import { authorize } from '../authorize.js';
import { type AlertRuleSettingsInput, toAlertRuleSettings } from './alertInput.js';
import { runCommand } from './runCommand.js';

const now = (context: ApiContext) => context.services.now().toISOString();

// Derived from the idempotency key when there is one, so a retried create finds the stream of
// its first attempt rather than creating a second rule or alert.
const newId = (context: ApiContext, kind: string) =>
  context.commandId ? deterministicId(`${kind}:${context.commandId}`) : context.services.newId();

const runRuleCommand = async (context: ApiContext, command: AlertRuleCommand) => {
  const { ruleId } = command.data;
  const { position } = await runCommand(context, alertRuleDecider, alertRuleStreamId(ruleId), command);
  return { ruleId, position };
};

const runAlertCommand = async (context: ApiContext, command: AlertCommand) => {
  const { alertId } = command.data;
  const { position } = await runCommand(context, alertDecider, alertStreamId(alertId), command);
  return { alertId, position };
};

type IdArgs = { id: string };

const fold = <Event, State>(
  decider: { initialState: State; evolve(state: State, event: Event): State },
  events: readonly RecordedEvent[],
): State =>
  events
    .map(upcastEvent)
    .reduce((state, event) => decider.evolve(state, event as unknown as Event), decider.initialState);

const readRule = async (context: ApiContext, ruleId: string) =>
  fold(alertRuleDecider, await context.services.eventStore.readStream(alertRuleStreamId(ruleId)));

// Stored in UTC like every other time; text that is no instant goes on for the domain to refuse.
const toInstant = (text: string) => (Number.isNaN(Date.parse(text)) ? text : new Date(text).toISOString());

/** One mutation per alert rule and alert command; each authorizes, sends the command, returns the id and position. */
export const alertMutations: IResolvers['Mutation'] = {
  createAlertRule: (
    _root,
    { input }: { input: AlertRuleSettingsInput & { pipelineId: string } },
    context: ApiContext,
  ) => {
    authorize(context, 'alertRule.create');
    return runRuleCommand(context, {
      type: 'CreateAlertRule',
      data: {
        ruleId: newId(context, 'alertrule'),
        pipelineId: input.pipelineId,
        ...toAlertRuleSettings(input),
        createdAt: now(context),
      },
    });
  },
  updateAlertRule: (
    _root,
    { id, input }: IdArgs & { input: AlertRuleSettingsInput },
    context: ApiContext,
  ) => {
    authorize(context, 'alertRule.update');
    return runRuleCommand(context, {
      type: 'UpdateAlertRule',
      data: { ruleId: id, ...toAlertRuleSettings(input), updatedAt: now(context) },
    });
  },
  enableAlertRule: (_root, { id }: IdArgs, context: ApiContext) => {
    authorize(context, 'alertRule.enable');
    return runRuleCommand(context, {
      type: 'EnableAlertRule',
      data: { ruleId: id, enabledAt: now(context) },
    });
  },
  disableAlertRule: (_root, { id }: IdArgs, context: ApiContext) => {
    authorize(context, 'alertRule.disable');
    return runRuleCommand(context, {
      type: 'DisableAlertRule',
      data: { ruleId: id, disabledAt: now(context) },
    });
  },
  fireAlert: async (_root, { input }: { input: { ruleId: string; value: number } }, context: ApiContext) => {
    // The alert evaluator fires alerts; over the API only admins and processors may (roles decide).
    authorize(context, 'alert.fire');
    // The alert decider knows nothing of rules; an alert of a rule that never existed would
    // have no pipeline or severity, so the rule's stream is checked first.
    const rule = await readRule(context, input.ruleId);
    if (rule.status === 'none') throw new TributaryError('ALERT_RULE_NOT_FOUND');
    return runAlertCommand(context, {
      type: 'FireAlert',
      data: {
        alertId: newId(context, 'alert'),
        ruleId: input.ruleId,
        value: input.value,
        firedAt: now(context),
        channelIds: rule.channelIds,
      },
    });
  },
  acknowledgeAlert: (_root, { id }: IdArgs, context: ApiContext) => {
    authorize(context, 'alert.acknowledge');
    return runAlertCommand(context, {
      type: 'AcknowledgeAlert',
      data: { alertId: id, acknowledgedBy: context.actor, acknowledgedAt: now(context) },
    });
  },
  resolveAlert: (_root, { id }: IdArgs, context: ApiContext) => {
    authorize(context, 'alert.resolve');
    return runAlertCommand(context, {
      type: 'ResolveAlert',
      data: { alertId: id, resolution: 'manual', resolvedBy: context.actor, resolvedAt: now(context) },
    });
  },
  escalateAlert: async (_root, { id }: IdArgs, context: ApiContext) => {
    authorize(context, 'alert.escalate');
    // The next level of the rule's policy is told, as when the evaluator escalates.
    const alert = fold(alertDecider, await context.services.eventStore.readStream(alertStreamId(id)));
    const rule = alert.status === 'none' ? null : await readRule(context, alert.ruleId);
    const level =
      alert.status === 'none' || rule?.status === 'none' ? undefined : rule?.escalation[alert.level - 1];
    return runAlertCommand(context, {
      type: 'EscalateAlert',
      data: { alertId: id, escalatedAt: now(context), channelIds: level?.channelIds ?? [] },
    });
  },
  silenceAlert: (_root, { id, until }: IdArgs & { until: string }, context: ApiContext) => {
    authorize(context, 'alert.silence');
    return runAlertCommand(context, {
      type: 'SilenceAlert',
      data: { alertId: id, until: toInstant(until), silencedBy: context.actor, silencedAt: now(context) },
    });
  },
};
