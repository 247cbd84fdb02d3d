import mercurius, { type IResolvers } from 'mercurius';
import type { AlertCondition } from '../../domain/alerts/alertRule.js';
import {
  ALERT_RULE_SORT_KEYS,
  ALERT_SORT_KEYS,
  type AlertFilter,
  type AlertRuleFilter,
  alertHistory,
  findAlert,
  findAlertRule,
  listAlertRules,
  listAlerts,
} from '../../projections/alerts/alertQueries.js';
import { type AlertView, toAlertHistoryView, toAlertView } from '../../projections/alerts/alertRow.js';
import { toAlertRuleView } from '../../projections/alerts/alertRuleRow.js';
import { ALERT_CHANGED, ALERT_FIRED } from '../../projections/alerts/alertsProjection.js';
import { isKeyFor, keyOfRow } from '../../projections/keysetPage.js';
import type { ApiContext } from '../apiServices.js';
import { authorize } from '../authorize.js';
import { comparatorName } from './alertInput.js';
import { alertMutations } from './alertMutations.js';
import { type ConnectionArgs, pageRequest, toConnection } from './connection.js';

interface AlertFiring {
  position: string;
  alert: AlertView;
}
interface AlertChange extends AlertFiring {
  event: string;
}

// mercurius is CommonJS; Node's ESM loader cannot see its named exports, only the default.
const { withFilter } = mercurius;

/** Alert rules and alerts: queries from the alerts read models, commands, and live alerts. */
export const alertResolvers: IResolvers = {
  Query: {
    alertRule: async (_root, { id }: { id: string }, context: ApiContext) => {
      authorize(context, 'alertRule.read');
      const row = await findAlertRule(context.services.pool, id);
      return row && toAlertRuleView(row);
    },
    alertRules: async (
      _root,
      args: ConnectionArgs & { filter?: AlertRuleFilter | null },
      context: ApiContext,
    ) => {
      authorize(context, 'alertRule.read');
      const sort = ALERT_RULE_SORT_KEYS.createdAt;
      const request = pageRequest(args, { ordering: 'alertRules:createdAt:asc', isKey: isKeyFor(sort) });
      const { rows, totalCount } = await listAlertRules(context.services.pool, args.filter ?? {}, {
        orderBy: { field: 'createdAt', direction: 'asc' },
        after: request.after,
        limit: request.limit,
      });
      return toConnection(request, rows, totalCount, {
        keyOf: (row) => keyOfRow(sort, row),
        toNode: toAlertRuleView,
      });
    },
    alert: async (_root, { id }: { id: string }, context: ApiContext) => {
      authorize(context, 'alert.read');
      const row = await findAlert(context.services.pool, id);
      return row && toAlertView(row);
    },
    alerts: async (_root, args: ConnectionArgs & { filter?: AlertFilter | null }, context: ApiContext) => {
      authorize(context, 'alert.read');
      const sort = ALERT_SORT_KEYS.firedAt;
      const request = pageRequest(args, { ordering: 'alerts:firedAt:desc', isKey: isKeyFor(sort) });
      const { rows, totalCount } = await listAlerts(context.services.pool, args.filter ?? {}, {
        orderBy: { field: 'firedAt', direction: 'desc' },
        after: request.after,
        limit: request.limit,
      });
      return toConnection(request, rows, totalCount, {
        keyOf: (row) => keyOfRow(sort, row),
        toNode: toAlertView,
      });
    },
  },
  Mutation: alertMutations,
  Subscription: {
    alertFired: {
      subscribe: withFilter(
        (_root, _args, context: ApiContext) => {
          authorize(context, 'alert.read');
          return context.pubsub.subscribe(ALERT_FIRED);
        },
        (message: AlertFiring, args: { pipelineId?: string | null; severity?: string | null }) =>
          (!args.pipelineId || message.alert.pipelineId === args.pipelineId) &&
          (!args.severity || message.alert.severity === args.severity),
      ),
      resolve: (message: AlertFiring) => message,
    },
    alertChanged: {
      subscribe: withFilter(
        (_root, _args, context: ApiContext) => {
          authorize(context, 'alert.read');
          return context.pubsub.subscribe(ALERT_CHANGED);
        },
        (message: AlertChange, args: { alertId: string }) => message.alert.id === args.alertId,
      ),
      resolve: (message: AlertChange) => message,
    },
  },
  Alert: {
    history: async (alert: AlertView, _args, context: ApiContext) => {
      authorize(context, 'alert.read');
      return (await alertHistory(context.services.pool, alert.id)).map(toAlertHistoryView);
    },
  },
  AlertCondition: {
    comparator: (condition: AlertCondition) =>
      condition.metric === 'noRecords' ? null : comparatorName(condition.comparator),
    threshold: (condition: AlertCondition) => (condition.metric === 'noRecords' ? null : condition.threshold),
    measure: (condition: AlertCondition) => (condition.metric === 'aggregate' ? condition.measure : null),
    key: (condition: AlertCondition) => (condition.metric === 'aggregate' ? (condition.key ?? null) : null),
  },
};
