import type { Config } from '../../config.js';
import type { Logger } from '../../logger.js';
import { createLoggingMailSender } from './loggingMailSender.js';
import type { MailSender } from './mailSender.js';
import { createSmtpMailSender } from './smtpMailSender.js';

/**
 * The mail sender a process uses: SMTP when MAIL_SMTP_URL is set; the log outside production
 * when it is not; none in production without it (the log would expose live tokens), so what
 * needs mail answers MAIL_NOT_CONFIGURED.
 */
export const mailSenderFromConfig = (
  config: Pick<Config, 'env' | 'mail'>,
  logger: Pick<Logger, 'info'>,
): (MailSender & { close?(): void }) | undefined => {
  if (config.mail.smtpUrl !== null)
    return createSmtpMailSender({ url: config.mail.smtpUrl, from: config.mail.from });
  return config.env === 'production' ? undefined : createLoggingMailSender(logger);
};
