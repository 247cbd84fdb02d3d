import nodemailer from 'nodemailer';
import type SMTPPool from 'nodemailer/lib/smtp-pool/index.js';
import type { MailMessage, MailSender } from './mailSender.js';

export interface SmtpMailSenderOptions {
  /** `smtp://user:pass@host:587` (STARTTLS when the server offers it) or `smtps://…:465`. */
  url: string;
  /** The From header, such as `Tributary <no-reply@example.com>`. */
  from: string;
}

export interface SmtpMailSender extends MailSender {
  close(): void;
}

/**
 * Production mail through an SMTP server, with nodemailer: SMTP's dialects (STARTTLS, AUTH
 * mechanisms, dot-stuffing, encodings) are easy to get subtly wrong, and nodemailer is the
 * maintained, dependency-free implementation. One pooled connection is reused across messages;
 * `send` resolves once the server accepted the message for delivery.
 */
export const createSmtpMailSender = (options: SmtpMailSenderOptions): SmtpMailSender => {
  const url = new URL(options.url);
  const secure = url.protocol === 'smtps:';
  const pooled: SMTPPool.Options = {
    host: url.hostname,
    port: url.port === '' ? (secure ? 465 : 587) : Number(url.port),
    secure,
    ...(url.username !== '' && {
      auth: { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) },
    }),
    pool: true,
    maxConnections: 2,
    // A server that hangs must not hold a request (a password reset) for minutes.
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 20_000,
  };
  const transport = nodemailer.createTransport(pooled, { from: options.from });
  return {
    async send(message: MailMessage) {
      const sent = await transport.sendMail({ to: message.to, subject: message.subject, text: message.text });
      if (sent.rejected.length > 0) {
        throw new Error(`the mail server refused ${sent.rejected.length} recipient(s)`);
      }
    },
    close: () => transport.close(),
  };
};
