/**
 * What a channel is told about one alert event: the webhook's JSON body and the e-mail's text
 * are both made from it. Link-free on purpose: the platform does not know the URL its users
 * reach it by, and a receiver has the ids to look the alert up.
 */
export interface AlertNotification {
  deliveryId: string;
  /** The alert event notified (AlertFired, AlertEscalated, AlertReminded, AlertResolved), or `test`. */
  event: string;
  alertId: string | null;
  ruleId: string | null;
  ruleName: string | null;
  pipelineId: string | null;
  severity: string | null;
  /** The alert's status as the event left it: firing, acknowledged or resolved. */
  status: string | null;
  level: number | null;
  value: number | null;
  reason: string;
  /** When the event happened, as an ISO-8601 instant. */
  at: string;
  summary: string;
}

/** What the notifier knows when it builds a notification; any of it may be unknown. */
export interface AlertFacts {
  deliveryId: string;
  event: { type: string; data: Record<string, unknown> };
  alert: { ruleId: string; status: string; level: number; value: number } | null;
  rule: { name: string; pipelineId: string; severity: string } | null;
  /** When the event was recorded: the fallback for its own instant. */
  recordedAt: Date;
}

const WHAT_HAPPENED: Record<string, string> = {
  AlertFired: 'fired',
  AlertEscalated: 'escalated',
  AlertReminded: 'is still firing',
  AlertResolved: 'resolved',
};

const INSTANT_FIELDS = ['firedAt', 'escalatedAt', 'remindedAt', 'resolvedAt'];

const text = (value: unknown): string | null =>
  typeof value === 'string' && value.length > 0 ? value : null;

export const alertNotification = (facts: AlertFacts): AlertNotification => {
  const { event, alert, rule } = facts;
  const data = event.data;
  const at =
    INSTANT_FIELDS.map((field) => text(data[field])).find((value) => value !== null) ??
    facts.recordedAt.toISOString();
  const level = alert?.level ?? (typeof data.level === 'number' ? data.level : null);
  const value = alert?.value ?? (typeof data.value === 'number' ? data.value : null);
  const happened = WHAT_HAPPENED[event.type] ?? event.type;
  const reason =
    text(data.reason) ??
    (event.type === 'AlertResolved'
      ? data.resolution === 'manual'
        ? `resolved by ${text(data.resolvedBy) ?? 'someone'}`
        : 'the condition cleared'
      : event.type === 'AlertEscalated'
        ? `unacknowledged: escalated to level ${level ?? '?'}`
        : `the rule's condition holds at ${value ?? '?'}`);
  const name = rule?.name ?? `rule ${alert?.ruleId ?? text(data.ruleId) ?? 'unknown'}`;
  const severity = rule?.severity ?? null;
  const summary = `${severity ? `[${severity.toUpperCase()}] ` : ''}${name}${rule ? ` on pipeline ${rule.pipelineId}` : ''} ${happened}${value === null ? '' : ` (value ${value})`}${level && level > 1 ? `, level ${level}` : ''}: ${reason}`;
  return {
    deliveryId: facts.deliveryId,
    event: event.type,
    alertId: text(data.alertId),
    ruleId: alert?.ruleId ?? text(data.ruleId),
    ruleName: rule?.name ?? null,
    pipelineId: rule?.pipelineId ?? null,
    severity,
    status: alert?.status ?? null,
    level,
    value,
    reason,
    at,
    summary,
  };
};

/** A notification that says only that the channel works, for `testNotificationChannel`. */
export const testNotification = (deliveryId: string, channelName: string, at: Date): AlertNotification => ({
  deliveryId,
  event: 'test',
  alertId: null,
  ruleId: null,
  ruleName: null,
  pipelineId: null,
  severity: null,
  status: null,
  level: null,
  value: null,
  reason: 'a test of the channel',
  at: at.toISOString(),
  summary: `Test notification to channel ${channelName}: it works`,
});
