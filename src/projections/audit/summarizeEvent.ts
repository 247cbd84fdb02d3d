import type { AlertEvent } from '../../domain/alerts/alert.js';
import type { AlertRuleEvent } from '../../domain/alerts/alertRule.js';
import type { NotificationChannelEvent } from '../../domain/alerts/notificationChannel.js';
import type { NotificationDeliveryEvent } from '../../domain/alerts/notificationDelivery.js';
import type { ConnectorEvent } from '../../domain/connectors/connector.js';
import type { SecurityEvent } from '../../domain/permissions/accessDenied.js';
import type { PipelineEvent } from '../../domain/pipelines/pipelineEvent.js';
import type { RunEvent } from '../../domain/runs/run.js';
import type { SessionEvent } from '../../domain/sessions/session.js';
import type { UserEvent } from '../../domain/users/userEvent.js';

type DomainEvent =
  | UserEvent
  | ConnectorEvent
  | PipelineEvent
  | RunEvent
  | AlertRuleEvent
  | AlertEvent
  | NotificationChannelEvent
  | NotificationDeliveryEvent
  | SecurityEvent
  | SessionEvent;

/** What a summary may say beyond the event itself: names known from earlier events. */
export interface SummaryFacts {
  /** Who acted, as people know them: a known user's e-mail address, else the actor as recorded. */
  actor: string;
  /**
   * The name of a subject by its stream id, when known from earlier events: a pipeline's or
   * connector's name, a user's e-mail address, a run's pipeline, an alert's rule.
   */
  nameOf(streamId: string): string | undefined;
  /** For an update, the paths of the fields that changed, never their values; null when unknown. */
  changedFields: readonly string[] | null;
}

export interface SummarizedEvent {
  type: string;
  streamId: string;
  data: unknown;
}

const MAX_LENGTH = 300;

const short = (id: string) => id.slice(0, 8);
const changes = ({ changedFields }: SummaryFacts) =>
  changedFields === null
    ? ''
    : changedFields.length === 0
      ? ': nothing changed'
      : `: changed ${changedFields.join(', ')}`;

type Summariser<Data> = (data: Data, facts: SummaryFacts) => string;
type Summarisers = {
  [Type in DomainEvent['type']]: Summariser<Extract<DomainEvent, { type: Type }>['data']>;
};

// A mapped type rather than a switch: an event type added to the domain does not compile until
// it has a summary here. Each names the subject and what happened, never a secret's value.
const summarisers: Summarisers = {
  AdminBootstrapped: (d, f) => `${f.actor} bootstrapped the first admin, ${d.email}`,
  UserInvited: (d, f) => `${f.actor} invited ${d.email} as ${d.role}`,
  InvitationAccepted: (d, f) => `${f.actor} accepted the invitation of user ${user(d.userId, f)}`,
  EmailVerificationRequested: (d, f) =>
    `${f.actor} asked user ${user(d.userId, f)} to verify their e-mail address`,
  EmailVerified: (d, f) => `${f.actor} verified the e-mail address of user ${user(d.userId, f)}`,
  UserRoleChanged: (d, f) =>
    `${f.actor} changed the role of user ${user(d.userId, f)} from ${d.from} to ${d.to}`,
  PasswordChanged: (d, f) => `${f.actor} changed the password of user ${user(d.userId, f)}`,
  UserLoginSucceeded: (d, f) => `user ${user(d.userId, f)} logged in`,
  UserLoginFailed: (d, f) =>
    `a login as user ${user(d.userId, f)} failed (${d.consecutiveFailures} in a row)`,
  UserLocked: (d, f) => `user ${user(d.userId, f)} was locked until ${d.lockedUntil}`,
  UserUnlocked: (d, f) =>
    d.reason === 'lock_expired'
      ? `the lock on user ${user(d.userId, f)} expired`
      : `${f.actor} unlocked user ${user(d.userId, f)}`,
  UserDeactivated: (d, f) => `${f.actor} deactivated user ${user(d.userId, f)}`,
  UserReactivated: (d, f) => `${f.actor} reactivated user ${user(d.userId, f)}`,
  ApiKeyIssued: (d, f) => `${f.actor} issued API key ${d.name} (${d.role}) to user ${user(d.userId, f)}`,
  ApiKeyRevoked: (d, f) =>
    d.reason === 'revoked'
      ? `${f.actor} revoked API key ${short(d.keyId)} of user ${user(d.userId, f)}`
      : `API key ${short(d.keyId)} of user ${user(d.userId, f)} was revoked (${d.reason.replace('_', ' ')})`,

  PasswordResetRequested: (d, f) => `a password reset was requested for user ${user(d.userId, f)}`,
  PasswordReset: (d, f) => `user ${user(d.userId, f)} reset their password with a reset token`,
  TotpEnrollmentStarted: (d, f) =>
    `${f.actor} started setting up a second factor for user ${user(d.userId, f)}`,
  TotpEnabled: (d, f) => `${f.actor} turned on the second factor of user ${user(d.userId, f)}`,
  TotpDisabled: (d, f) => `${f.actor} turned off the second factor of user ${user(d.userId, f)}`,

  SessionStarted: (d, f) => `user ${user(d.userId, f)} started session ${short(d.familyId)}`,
  SessionRefreshed: (d, f) => `user ${user(d.userId, f)} refreshed session ${short(d.familyId)}`,
  SessionRevoked: (d, f) =>
    d.reason === 'refresh_token_reused'
      ? `session ${short(d.familyId)} of user ${user(d.userId, f)} was revoked: a spent refresh token was used again`
      : d.reason === 'logout'
        ? `user ${user(d.userId, f)} logged out of session ${short(d.familyId)}`
        : d.reason === 'password_changed'
          ? `session ${short(d.familyId)} of user ${user(d.userId, f)} ended: the password changed after it began`
          : `session ${short(d.familyId)} of user ${user(d.userId, f)} ended: the user can no longer sign in`,

  ConnectorCreated: (d, f) => `${f.actor} created ${d.direction} connector ${d.name} (${d.kind})`,
  ConnectorConfigUpdated: (d, f) =>
    `${f.actor} updated connector ${connector(d.connectorId, f)}${changes(f)}`,
  ConnectionTested: (d, f) =>
    `the connection test of connector ${connector(d.connectorId, f)} ${d.outcome === 'ok' ? 'passed' : 'failed'}`,
  ConnectorDeleted: (d, f) => `${f.actor} deleted connector ${connector(d.connectorId, f)}`,

  PipelineCreated: (d, f) => `${f.actor} created pipeline ${d.name}`,
  PipelineCloned: (d, f) =>
    `${f.actor} created pipeline ${d.name} as a copy of version ${d.clonedFrom.version} of pipeline ${pipeline(d.clonedFrom.pipelineId, f)}`,
  PipelineCreatedFromTemplate: (d, f) =>
    `${f.actor} created pipeline ${d.name} from template ${d.templateId}`,
  PipelineVersionSaved: (d, f) =>
    `${f.actor} saved version ${d.version} of pipeline ${pipeline(d.pipelineId, f)}${changes(f)}`,
  PipelineVersionPublished: (d, f) =>
    `${f.actor} published version ${d.version} of pipeline ${pipeline(d.pipelineId, f)}`,
  PipelineActivated: (d, f) => `${f.actor} activated pipeline ${pipeline(d.pipelineId, f)}`,
  PipelinePaused: (d, f) => `${f.actor} paused pipeline ${pipeline(d.pipelineId, f)}`,
  PipelineResumed: (d, f) => `${f.actor} resumed pipeline ${pipeline(d.pipelineId, f)}`,
  PipelineRolledBack: (d, f) =>
    `${f.actor} rolled pipeline ${pipeline(d.pipelineId, f)} back from version ${d.fromVersion} to ${d.toVersion}`,
  PipelineArchived: (d, f) => `${f.actor} archived pipeline ${pipeline(d.pipelineId, f)}`,

  RunRequested: (d, f) =>
    `${f.actor} requested a ${d.kind} run of pipeline ${pipeline(d.pipelineId, f)} (version ${d.version})`,
  RunStarted: (d, f) => `${run(d.runId, f)} started`,
  RunProgressRecorded: (d, f) =>
    `${run(d.runId, f)}: ${d.counts.in} in, ${d.counts.out} out, ${d.counts.filtered} filtered, ${d.counts.dlq} to the DLQ`,
  RunCompleted: (d, f) => `${run(d.runId, f)} completed`,
  RunFailed: (d, f) => `${run(d.runId, f)} failed`,
  RunCancelled: (d, f) => `${f.actor} cancelled ${run(d.runId, f)}`,

  AlertRuleCreated: (d, f) =>
    `${f.actor} created alert rule ${d.name} on pipeline ${pipeline(d.pipelineId, f)}`,
  AlertRuleUpdated: (d, f) => `${f.actor} updated alert rule ${rule(d.ruleId, f)}${changes(f)}`,
  AlertRuleEnabled: (d, f) => `${f.actor} enabled alert rule ${rule(d.ruleId, f)}`,
  AlertRuleDisabled: (d, f) => `${f.actor} disabled alert rule ${rule(d.ruleId, f)}`,

  AlertFired: (d, f) => `alert rule ${rule(d.ruleId, f)} fired at ${d.value} (alert ${short(d.alertId)})`,
  AlertAcknowledged: (d, f) => `${f.actor} acknowledged ${alert(d.alertId, f)}`,
  AlertResolved: (d, f) =>
    d.resolution === 'auto'
      ? `${alert(d.alertId, f)} resolved itself`
      : `${f.actor} resolved ${alert(d.alertId, f)}`,
  AlertEscalated: (d, f) => `${alert(d.alertId, f)} escalated to level ${d.level}`,
  AlertSilenced: (d, f) => `${f.actor} silenced ${alert(d.alertId, f)} until ${d.until}`,
  AlertReminded: (d, f) => `${alert(d.alertId, f)} still firing: reminded at level ${d.level}`,

  NotificationChannelCreated: (d, f) => `${f.actor} created ${d.kind} notification channel ${d.name}`,
  NotificationChannelUpdated: (d, f) =>
    `${f.actor} updated notification channel ${channel(d.channelId, f)}${changes(f)}`,
  NotificationChannelDeleted: (d, f) => `${f.actor} deleted notification channel ${channel(d.channelId, f)}`,
  NotificationDeliveryAttempted: (d, f) =>
    `${notification(d, f)}: attempt ${d.attempt} ${d.succeeded ? 'succeeded' : `failed (${d.error})`}`,
  NotificationDelivered: (d, f) => `${notification(d, f)} delivered after ${d.attempts} attempt(s)`,
  NotificationFailed: (d, f) => `${notification(d, f)} given up after ${d.attempts} attempt(s): ${d.reason}`,
  NotificationSkipped: (d, f) => `${notification(d, f)} not sent: ${d.reason}`,

  // The actor is the one who was refused; the reason is the rule, never the request's input.
  // hasOwn, not a read: the data may leave the pipeline out, and a read of it would throw.
  AccessDenied: (d, f) =>
    `${f.actor} was denied ${d.action}${Object.hasOwn(d, 'pipelineId') && d.pipelineId ? ` on pipeline ${pipeline(d.pipelineId, f)}` : ''}: ${d.reason}`,
};

const connector = (id: string, f: SummaryFacts) => f.nameOf(`connector-${id}`) ?? short(id);
const user = (id: string, f: SummaryFacts) => f.nameOf(`user-${id}`) ?? short(id);
const pipeline = (id: string, f: SummaryFacts) => f.nameOf(`pipeline-${id}`) ?? short(id);
const rule = (id: string, f: SummaryFacts) => f.nameOf(`alertrule-${id}`) ?? short(id);
const run = (id: string, f: SummaryFacts) => `run ${f.nameOf(`run-${id}`) ?? short(id)}`;
const alert = (id: string, f: SummaryFacts) => `alert ${f.nameOf(`alert-${id}`) ?? short(id)}`;
const channel = (id: string, f: SummaryFacts) => f.nameOf(`notificationchannel-${id}`) ?? short(id);
const notification = (d: { trigger: string; alertId: string | null; channelId: string }, f: SummaryFacts) =>
  `${d.alertId === null ? 'test notification' : `${d.trigger} notification of ${alert(d.alertId, f)}`} to channel ${channel(d.channelId, f)}`;

// Reading a field the data lacks (an event stored in an older shape) throws, so the summary
// falls back instead of saying "undefined".
const strict = <T>(value: T): T =>
  typeof value === 'object' && value !== null
    ? new Proxy(value, {
        get(target, property, receiver) {
          const inner: unknown = Reflect.get(target, property, receiver);
          if (inner === undefined) throw new Error(`no ${String(property)}`);
          return strict(inner);
        },
      })
    : value;

const isKnownType = (type: string): type is DomainEvent['type'] => Object.hasOwn(summarisers, type);

/**
 * One line a person can read in the audit log, such as "ann@example.com created pipeline Clean
 * orders". An event type without a summariser, or data it cannot read (an old shape), falls back
 * to "<type> on <stream>". Summaries name fields, never values of anything secret: the data they
 * quote are names, roles, versions and counts.
 */
export const summarizeEvent = (event: SummarizedEvent, facts: SummaryFacts): string => {
  const fallback = `${event.type} on ${event.streamId}`;
  if (!isKnownType(event.type)) return fallback;
  try {
    const summarise = summarisers[event.type] as Summariser<unknown>;
    const summary = summarise(strict(event.data), facts);
    return summary.length > MAX_LENGTH ? `${summary.slice(0, MAX_LENGTH - 1)}…` : summary;
  } catch {
    return fallback;
  }
};
