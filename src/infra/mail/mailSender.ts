/** One e-mail to one address, as plain text. */
export interface MailMessage {
  to: string;
  subject: string;
  text: string;
}

/**
 * The port e-mail leaves through (password resets, verification links). `send` resolves once
 * the message is handed over; it throws when it cannot be, and callers that must answer alike
 * whatever happens (a password reset) catch and log that. Adapters: `loggingMailSender` for dev;
 * an SMTP or provider adapter for production is still to come.
 */
export interface MailSender {
  send(message: MailMessage): Promise<void>;
}
