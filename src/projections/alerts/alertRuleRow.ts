import type { AlertCondition, AlertEscalationLevel, AlertSeverity } from '../../domain/alerts/alertRule.js';

/** A row of the `alert_rules` read model. */
export interface AlertRuleRow {
  id: string;
  pipeline_id: string;
  name: string;
  condition: AlertCondition;
  severity: AlertSeverity;
  channel_ids: string[];
  enabled: boolean;
  created_at: Date;
  created_by: string | null;
  updated_at: Date;
  updated_by: string | null;
  last_position: number;
  repeat_interval_seconds: number;
  escalation: AlertEscalationLevel[];
}

export const ALERT_RULE_COLUMNS =
  'id, pipeline_id, name, condition, severity, channel_ids, enabled, created_at, created_by, updated_at, updated_by, last_position, repeat_interval_seconds, escalation';

/** An alert rule as clients see it, plain JSON. */
export interface AlertRuleView {
  id: string;
  pipelineId: string;
  name: string;
  condition: AlertCondition;
  severity: AlertSeverity;
  channelIds: string[];
  enabled: boolean;
  createdAt: string;
  createdBy: string | null;
  updatedAt: string;
  updatedBy: string | null;
  position: string;
  repeatIntervalSeconds: number;
  escalation: AlertEscalationLevel[];
}

export const toAlertRuleView = (row: AlertRuleRow): AlertRuleView => ({
  id: row.id,
  pipelineId: row.pipeline_id,
  name: row.name,
  condition: row.condition,
  severity: row.severity,
  channelIds: row.channel_ids,
  enabled: row.enabled,
  createdAt: row.created_at.toISOString(),
  createdBy: row.created_by,
  updatedAt: row.updated_at.toISOString(),
  updatedBy: row.updated_by,
  position: String(row.last_position),
  repeatIntervalSeconds: row.repeat_interval_seconds,
  escalation: row.escalation,
});
