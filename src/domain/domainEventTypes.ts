import { alertEventTypes } from './alerts/alert.js';
import { alertRuleEventTypes } from './alerts/alertRule.js';
import { notificationChannelEventTypes } from './alerts/notificationChannel.js';
import { notificationDeliveryEventTypes } from './alerts/notificationDelivery.js';
import { connectorEventTypes } from './connectors/connector.js';
import { securityEventTypes } from './permissions/accessDenied.js';
import { pipelineEventTypes } from './pipelines/pipelineEvent.js';
import { runEventTypes } from './runs/run.js';
import { sessionEventTypes } from './sessions/session.js';
import { userEventTypes } from './users/userEvent.js';

/**
 * Every event type the domain can emit, aggregate by aggregate. Each list is checked against its
 * aggregate's event union by a type test; a new aggregate adds its list here.
 */
export const domainEventTypes = [
  ...userEventTypes,
  ...connectorEventTypes,
  ...pipelineEventTypes,
  ...runEventTypes,
  ...alertRuleEventTypes,
  ...alertEventTypes,
  ...notificationChannelEventTypes,
  ...notificationDeliveryEventTypes,
  ...sessionEventTypes,
  ...securityEventTypes,
] as const;

export type DomainEventType = (typeof domainEventTypes)[number];
