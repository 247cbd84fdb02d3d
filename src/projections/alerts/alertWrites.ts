import type pg from 'pg';
import type { AlertEvent } from '../../domain/alerts/alert.js';
import type { AlertRuleEvent, AlertRuleSettings } from '../../domain/alerts/alertRule.js';
import { DEFAULT_REPEAT_INTERVAL_SECONDS } from '../../domain/alerts/alertRuleSettings.js';
import { assertNever } from '../../domain/decider.js';
import type { RecordedEvent } from '../../infra/eventstore/eventStore.js';
import { ALERT_RULE_COLUMNS, type AlertRuleRow } from './alertRuleRow.js';

// Every write below is guarded by the event's position (a key, or `last_position < position`),
// so an event delivered again changes nothing.

export type RecordedAlertRuleEvent = RecordedEvent & AlertRuleEvent;
export type RecordedAlertEvent = RecordedEvent & AlertEvent;

/** Applies a rule event; returns the row when it changed. */
export const writeAlertRule = async (client: pg.ClientBase, event: RecordedAlertRuleEvent) => {
  const by = event.metadata.actor ?? null;
  const returning = `RETURNING ${ALERT_RULE_COLUMNS}`;
  const query = async (sql: string, params: unknown[]) =>
    (await client.query<AlertRuleRow>(`${sql} ${returning}`, params)).rows[0];
  switch (event.type) {
    case 'AlertRuleCreated': {
      const { ruleId, pipelineId, name, condition, severity, channelIds, createdAt } = event.data;
      return query(
        `INSERT INTO alert_rules (${ALERT_RULE_COLUMNS})
         VALUES ($1, $2, $3, $4, $5, $6, true, $7, $8, $7, $8, $9, $10, $11) ON CONFLICT (id) DO NOTHING`,
        [
          ruleId,
          pipelineId,
          name,
          JSON.stringify(condition),
          severity,
          JSON.stringify(channelIds),
          createdAt,
          by,
          event.position,
          ...policyOf(event.data),
        ],
      );
    }
    case 'AlertRuleUpdated': {
      const { ruleId, name, condition, severity, channelIds, updatedAt } = event.data;
      return query(
        `UPDATE alert_rules SET name = $2, condition = $3, severity = $4, channel_ids = $5,
           updated_at = $6, updated_by = $7, last_position = $8, repeat_interval_seconds = $9,
           escalation = $10
         WHERE id = $1 AND last_position < $8`,
        [
          ruleId,
          name,
          JSON.stringify(condition),
          severity,
          JSON.stringify(channelIds),
          updatedAt,
          by,
          event.position,
          ...policyOf(event.data),
        ],
      );
    }
    case 'AlertRuleEnabled':
    case 'AlertRuleDisabled': {
      const enabled = event.type === 'AlertRuleEnabled';
      const at = event.type === 'AlertRuleEnabled' ? event.data.enabledAt : event.data.disabledAt;
      return query(
        `UPDATE alert_rules SET enabled = $2, updated_at = $3, updated_by = $4, last_position = $5
         WHERE id = $1 AND last_position < $5`,
        [event.data.ruleId, enabled, at, by, event.position],
      );
    }
    default:
      return assertNever(event);
  }
};

/** The repeat interval and escalation columns; rules created before they existed get the defaults. */
const policyOf = (settings: AlertRuleSettings): [number, string] => [
  settings.repeatIntervalSeconds ?? DEFAULT_REPEAT_INTERVAL_SECONDS,
  JSON.stringify(settings.escalation ?? []),
];

const ALERT_RETURNING = 'RETURNING id, status, level';

/** Applies an alert event and records it in the alert's history; returns the alert's id when it changed. */
export const writeAlert = async (client: pg.ClientBase, event: RecordedAlertEvent) => {
  const { rows } = await client.query<{ id: string; status: string; level: number }>(...alertChange(event));
  const changed = rows[0];
  if (!changed) return undefined;
  await client.query(
    `INSERT INTO alert_history (position, alert_id, event_type, at, by_whom, status, level, details)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (position) DO NOTHING`,
    [
      event.position,
      changed.id,
      event.type,
      timeOf(event),
      whoOf(event),
      changed.status,
      changed.level,
      JSON.stringify(event.data),
    ],
  );
  return changed.id;
};

const alertChange = (event: RecordedAlertEvent): [string, unknown[]] => {
  const guard = 'WHERE id = $1 AND last_position < $2';
  const { position } = event;
  switch (event.type) {
    case 'AlertFired': {
      const { alertId, ruleId, value, firedAt } = event.data;
      // The rule's pipeline and its severity at the time of firing; the rule, earlier in the
      // log, is already in this projection's tables.
      return [
        `INSERT INTO alerts (id, rule_id, pipeline_id, severity, status, level, value, fired_at, fired_by,
           updated_at, last_position, series_key, channel_ids, notified_at)
         SELECT $1::text, $3::text, r.pipeline_id, r.severity, 'firing', 1, $4::double precision,
           $5::timestamptz, $6::text, $5::timestamptz, $2::bigint, $7::text, $8::jsonb, $5::timestamptz
         FROM (SELECT 1) AS one LEFT JOIN alert_rules r ON r.id = $3
         ON CONFLICT (id) DO NOTHING ${ALERT_RETURNING}`,
        [
          alertId,
          position,
          ruleId,
          value,
          firedAt,
          event.metadata.actor ?? null,
          event.data.key ?? null,
          JSON.stringify(event.data.channelIds ?? []),
        ],
      ];
    }
    case 'AlertAcknowledged': {
      const { alertId, acknowledgedBy, acknowledgedAt } = event.data;
      return [
        `UPDATE alerts SET status = 'acknowledged', acknowledged_at = $3, acknowledged_by = $4,
           updated_at = $3, last_position = $2 ${guard} ${ALERT_RETURNING}`,
        [alertId, position, acknowledgedAt, acknowledgedBy],
      ];
    }
    case 'AlertResolved': {
      const { alertId, resolution, resolvedBy, resolvedAt } = event.data;
      return [
        `UPDATE alerts SET status = 'resolved', resolved_at = $3, resolved_by = $4, resolution = $5,
           updated_at = $3, last_position = $2 ${guard} ${ALERT_RETURNING}`,
        [alertId, position, resolvedAt, resolvedBy, resolution],
      ];
    }
    case 'AlertEscalated': {
      const { alertId, level, escalatedAt } = event.data;
      return [
        `UPDATE alerts SET level = $3, escalated_at = $4, updated_at = $4, last_position = $2,
           notified_at = $4, channel_ids = ${addChannels('$5')}
         ${guard} ${ALERT_RETURNING}`,
        [alertId, position, level, escalatedAt, JSON.stringify(event.data.channelIds ?? [])],
      ];
    }
    case 'AlertReminded': {
      const { alertId, remindedAt, channelIds } = event.data;
      return [
        `UPDATE alerts SET reminded_at = $3, notified_at = $3, updated_at = $3, last_position = $2,
           channel_ids = ${addChannels('$4')}
         ${guard} ${ALERT_RETURNING}`,
        [alertId, position, remindedAt, JSON.stringify(channelIds ?? [])],
      ];
    }
    case 'AlertSilenced': {
      // Only a firing alert reads as silenced; an acknowledged one stays acknowledged.
      const { alertId, until, silencedBy, silencedAt } = event.data;
      return [
        `UPDATE alerts SET status = CASE WHEN status = 'acknowledged' THEN status ELSE 'silenced' END,
           silenced_at = $3, silenced_by = $4, silenced_until = $5, updated_at = $3, last_position = $2
         ${guard} ${ALERT_RETURNING}`,
        [alertId, position, silencedAt, silencedBy, until],
      ];
    }
    default:
      return assertNever(event);
  }
};

/** The channels told so far with those of `param` (a JSON array) not among them yet, in the order first told. */
const addChannels = (param: string) => `channel_ids || COALESCE((SELECT jsonb_agg(c ORDER BY n)
    FROM jsonb_array_elements(${param}::jsonb) WITH ORDINALITY AS told(c, n)
    WHERE NOT channel_ids @> jsonb_build_array(c)), '[]'::jsonb)`;

const timeOf = (event: RecordedAlertEvent): string => {
  switch (event.type) {
    case 'AlertFired':
      return event.data.firedAt;
    case 'AlertAcknowledged':
      return event.data.acknowledgedAt;
    case 'AlertResolved':
      return event.data.resolvedAt;
    case 'AlertEscalated':
      return event.data.escalatedAt;
    case 'AlertReminded':
      return event.data.remindedAt;
    case 'AlertSilenced':
      return event.data.silencedAt;
    default:
      return assertNever(event);
  }
};

const whoOf = (event: RecordedAlertEvent): string | null => {
  switch (event.type) {
    case 'AlertAcknowledged':
      return event.data.acknowledgedBy;
    case 'AlertResolved':
      return event.data.resolvedBy;
    case 'AlertSilenced':
      return event.data.silencedBy;
    default:
      return event.metadata.actor ?? null;
  }
};
