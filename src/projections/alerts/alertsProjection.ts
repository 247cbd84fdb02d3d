import type pg from 'pg';
import type { RecordedEvent } from '../../infra/eventstore/eventStore.js';
import type { LiveUpdate, Projection } from '../projection.js';
import { ALERT_VIEW, type AlertRow, toAlertView } from './alertRow.js';
import { toAlertRuleView } from './alertRuleRow.js';
import {
  type RecordedAlertEvent,
  type RecordedAlertRuleEvent,
  writeAlert,
  writeAlertRule,
} from './alertWrites.js';

/** Topic of a live update for each alert fired: `{ position, alert }`. */
export const ALERT_FIRED = 'alertFired';
/** Topic of a live update for every change to an alert, firing included: `{ event, position, alert }`. */
export const ALERT_CHANGED = 'alertChanged';
/** Topic of a live update for every change to an alert rule: `{ event, position, rule }`. */
export const ALERT_RULE_CHANGED = 'alertRuleChanged';

const RULE_EVENTS = new Set([
  'AlertRuleCreated',
  'AlertRuleUpdated',
  'AlertRuleEnabled',
  'AlertRuleDisabled',
]);
const ALERT_EVENTS = new Set([
  'AlertFired',
  'AlertAcknowledged',
  'AlertResolved',
  'AlertEscalated',
  'AlertSilenced',
  'AlertReminded',
]);

const isRuleEvent = (event: RecordedEvent): event is RecordedAlertRuleEvent => RULE_EVENTS.has(event.type);
const isAlertEvent = (event: RecordedEvent): event is RecordedAlertEvent => ALERT_EVENTS.has(event.type);

/** An alert as readers see it, read inside the projection's transaction. */
export const readAlert = async (client: pg.ClientBase | pg.Pool, id: string): Promise<AlertRow | undefined> =>
  (await client.query<AlertRow>(`SELECT * FROM ${ALERT_VIEW} WHERE id = $1`, [id])).rows[0];

/**
 * The alerting read models: `alert_rules` (settings, enabled, who created and last changed it),
 * `alerts` (status, level, value, rule and pipeline, who acknowledged, resolved or silenced it,
 * when) and `alert_history` (one row per alert event). One projection, because an alert takes
 * its pipeline and severity from its rule as they stand when it fires.
 */
export const alertsProjection: Projection = {
  name: 'alerts',
  tables: ['alert_rules', 'alerts', 'alert_history'],
  migrations: [
    {
      id: 'alerts-001-tables',
      sql: `CREATE TABLE alert_rules (
              id text PRIMARY KEY,
              pipeline_id text NOT NULL,
              name text NOT NULL,
              condition jsonb NOT NULL,
              severity text NOT NULL,
              channel_ids jsonb NOT NULL,
              enabled boolean NOT NULL,
              created_at timestamptz NOT NULL,
              created_by text,
              updated_at timestamptz NOT NULL,
              updated_by text,
              last_position bigint NOT NULL
            );
            CREATE INDEX alert_rules_created_at ON alert_rules (created_at, id);
            CREATE INDEX alert_rules_pipeline ON alert_rules (pipeline_id);
            CREATE TABLE alerts (
              id text PRIMARY KEY,
              rule_id text NOT NULL,
              pipeline_id text,
              severity text,
              status text NOT NULL,
              level int NOT NULL,
              value double precision NOT NULL,
              fired_at timestamptz NOT NULL,
              fired_by text,
              acknowledged_at timestamptz,
              acknowledged_by text,
              resolved_at timestamptz,
              resolved_by text,
              resolution text,
              silenced_at timestamptz,
              silenced_by text,
              silenced_until timestamptz,
              escalated_at timestamptz,
              updated_at timestamptz NOT NULL,
              last_position bigint NOT NULL
            );
            CREATE INDEX alerts_fired_at ON alerts (fired_at, id);
            CREATE INDEX alerts_rule ON alerts (rule_id);
            CREATE INDEX alerts_pipeline ON alerts (pipeline_id, fired_at);
            CREATE TABLE alert_history (
              position bigint PRIMARY KEY,
              alert_id text NOT NULL,
              event_type text NOT NULL,
              at timestamptz NOT NULL,
              by_whom text,
              status text NOT NULL,
              level int NOT NULL,
              details jsonb NOT NULL
            );
            CREATE INDEX alert_history_alert ON alert_history (alert_id, position);`,
    },
    {
      // Rules' repeat interval and escalation; alerts' key and who was told, and when last.
      id: 'alerts-002-escalation',
      sql: `ALTER TABLE alert_rules
              ADD COLUMN repeat_interval_seconds int NOT NULL DEFAULT 14400,
              ADD COLUMN escalation jsonb NOT NULL DEFAULT '[]';
            ALTER TABLE alerts
              ADD COLUMN series_key text,
              ADD COLUMN channel_ids jsonb NOT NULL DEFAULT '[]',
              ADD COLUMN reminded_at timestamptz,
              ADD COLUMN notified_at timestamptz;`,
    },
  ],
  async apply(client, events) {
    const updates: LiveUpdate[] = [];
    for (const event of events) {
      const position = String(event.position);
      if (isRuleEvent(event)) {
        const row = await writeAlertRule(client, event);
        if (row) {
          const rule = toAlertRuleView(row);
          updates.push({ topic: ALERT_RULE_CHANGED, payload: { event: event.type, position, rule } });
        }
      } else if (isAlertEvent(event)) {
        const id = await writeAlert(client, event);
        const row = id && (await readAlert(client, id));
        if (!row) continue;
        const alert = toAlertView(row);
        if (event.type === 'AlertFired') updates.push({ topic: ALERT_FIRED, payload: { position, alert } });
        updates.push({ topic: ALERT_CHANGED, payload: { event: event.type, position, alert } });
      }
    }
    return updates;
  },
};
