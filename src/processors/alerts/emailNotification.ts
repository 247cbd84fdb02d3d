import type { MailMessage } from '../../infra/mail/mailSender.js';
import type { AlertNotification } from './alertNotification.js';

const line = (label: string, value: string | number | null) => (value === null ? [] : [`${label}: ${value}`]);

/** The plain-text e-mail of a notification to one address. */
export const emailNotification = (to: string, notification: AlertNotification): MailMessage => ({
  to,
  subject: `[Tributary] ${notification.summary}`.slice(0, 200),
  text: [
    notification.summary,
    '',
    ...line('Alert', notification.alertId),
    ...line('Rule', notification.ruleName ?? notification.ruleId),
    ...line('Pipeline', notification.pipelineId),
    ...line('Severity', notification.severity),
    ...line('Status', notification.status),
    ...line('Level', notification.level),
    ...line('Value', notification.value),
    ...line('Reason', notification.reason),
    ...line('At', notification.at),
    ...line('Delivery', notification.deliveryId),
  ].join('\n'),
});
