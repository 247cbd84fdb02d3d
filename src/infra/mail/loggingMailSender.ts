import type { Logger } from '../../logger.js';
import type { MailMessage, MailSender } from './mailSender.js';

/**
 * Dev only: writes each message to the log instead of sending it, so a developer can follow a
 * reset link from the console. The message holds a live token, hence never in production.
 */
export const createLoggingMailSender = (logger: Pick<Logger, 'info'>): MailSender => ({
  async send(message: MailMessage) {
    logger.info({ mail: message }, `mail to ${message.to}: ${message.subject}`);
  },
});
