import type { AlertSeverity } from '../../domain/alerts/alertRule.js';

/**
 * How an alert stands for its readers. `silenced` is a firing alert whose notifications are
 * held until `silencedUntil`; once that passes it reads as `firing` again (see ALERT_VIEW).
 */
export type AlertReadStatus = 'firing' | 'acknowledged' | 'resolved' | 'silenced';

/** An alert as queries read it: a row of `alerts` with its rule's current name. */
export interface AlertRow {
  id: string;
  rule_id: string;
  rule_name: string | null;
  pipeline_id: string | null;
  severity: AlertSeverity | null;
  status: AlertReadStatus;
  level: number;
  value: number;
  fired_at: Date;
  fired_by: string | null;
  acknowledged_at: Date | null;
  acknowledged_by: string | null;
  resolved_at: Date | null;
  resolved_by: string | null;
  resolution: 'auto' | 'manual' | null;
  silenced_at: Date | null;
  silenced_by: string | null;
  silenced_until: Date | null;
  escalated_at: Date | null;
  updated_at: Date;
  last_position: number;
  /** The aggregate key that breached; null for pipeline metrics. */
  series_key: string | null;
  /** Every channel told of the alert so far. */
  channel_ids: string[];
  reminded_at: Date | null;
  /** The last firing, escalation or reminder. */
  notified_at: Date | null;
}

/**
 * Alerts as readers see them, to select from like a table: the stored status turns from
 * `silenced` back to `firing` when the silence has passed (no event marks that moment), and the
 * rule's name is its current one. A subquery rather than a view: the projection runner owns
 * which tables and views exist.
 */
export const ALERT_VIEW = `(SELECT a.id, a.rule_id, r.name AS rule_name, a.pipeline_id, a.severity,
    CASE WHEN a.status = 'silenced' AND a.silenced_until <= now() THEN 'firing' ELSE a.status END AS status,
    a.level, a.value, a.fired_at, a.fired_by, a.acknowledged_at, a.acknowledged_by, a.resolved_at,
    a.resolved_by, a.resolution, a.silenced_at, a.silenced_by, a.silenced_until, a.escalated_at,
    a.updated_at, a.last_position, a.series_key, a.channel_ids, a.reminded_at, a.notified_at
  FROM alerts a LEFT JOIN alert_rules r ON r.id = a.rule_id) AS alert_view`;

const iso = (date: Date | null) => date?.toISOString() ?? null;

/** An alert as clients see it, plain JSON so it crosses Redis pub/sub unchanged. */
export const toAlertView = (row: AlertRow) => ({
  id: row.id,
  ruleId: row.rule_id,
  ruleName: row.rule_name,
  pipelineId: row.pipeline_id,
  severity: row.severity,
  status: row.status,
  level: row.level,
  value: row.value,
  firedAt: row.fired_at.toISOString(),
  firedBy: row.fired_by,
  acknowledgedAt: iso(row.acknowledged_at),
  acknowledgedBy: row.acknowledged_by,
  resolvedAt: iso(row.resolved_at),
  resolvedBy: row.resolved_by,
  resolution: row.resolution,
  silencedAt: iso(row.silenced_at),
  silencedBy: row.silenced_by,
  silencedUntil: iso(row.silenced_until),
  escalatedAt: iso(row.escalated_at),
  updatedAt: row.updated_at.toISOString(),
  position: String(row.last_position),
  key: row.series_key,
  channelIds: row.channel_ids,
  remindedAt: iso(row.reminded_at),
  notifiedAt: iso(row.notified_at),
});
export type AlertView = ReturnType<typeof toAlertView>;

/** A row of `alert_history`: one per event of an alert, with the status and level it left. */
export interface AlertHistoryRow {
  position: number;
  alert_id: string;
  event_type: string;
  at: Date;
  by_whom: string | null;
  status: AlertReadStatus;
  level: number;
  details: Record<string, unknown>;
}

export const ALERT_HISTORY_COLUMNS = 'position, alert_id, event_type, at, by_whom, status, level, details';

export const toAlertHistoryView = (row: AlertHistoryRow) => ({
  position: String(row.position),
  event: row.event_type,
  at: row.at.toISOString(),
  by: row.by_whom,
  status: row.status,
  level: row.level,
  details: row.details,
});
