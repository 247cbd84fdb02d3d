import { assertPasswordAccepted, userIdForEmail } from '../../api/resolvers/userInput.js';
import { userDecider, userStreamId } from '../../domain/users/user.js';
import { isTributaryError, TributaryError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import { hashPassword } from '../crypto/passwordHasher.js';
import { newSecretToken, sha256Hex } from '../crypto/secretToken.js';
import type { EventStore } from '../eventstore/eventStore.js';
import { type CommandContext, handleCommand } from '../eventstore/handleCommand.js';
import type { MailSender } from '../mail/mailSender.js';

/** How long a reset token is accepted. */
export const PASSWORD_RESET_TTL_MINUTES = 60;

export interface PasswordResetDependencies {
  eventStore: EventStore;
  mailSender: MailSender;
  logger: Pick<Logger, 'warn'>;
  now(): Date;
}

// A reset token names its user before the random part, so the reset finds the stream directly.
const userIdOf = (token: string): string => {
  const dot = token.lastIndexOf('.');
  const userId = token.slice(0, dot);
  if (dot <= 0 || !/^[A-Za-z0-9-]{1,64}$/.test(userId)) throw new TributaryError('INVALID_TOKEN');
  return userId;
};

/**
 * Sends a reset token to the address, when it belongs to an active user. The caller answers the
 * same either way, so nobody learns from it which addresses have accounts; for the same reason
 * a refusal by the domain or a failed send is logged here, not thrown.
 */
export const requestPasswordReset = async (
  deps: PasswordResetDependencies,
  email: string,
  context: Omit<CommandContext, 'occurredAt' | 'commandId'>,
): Promise<void> => {
  const userId = userIdForEmail(email);
  const now = deps.now();
  const reset = newSecretToken(`${userId}.`);
  const expiresAt = new Date(now.getTime() + PASSWORD_RESET_TTL_MINUTES * 60_000).toISOString();
  try {
    await handleCommand(
      deps.eventStore,
      userDecider,
      userStreamId(userId),
      {
        type: 'RequestPasswordReset',
        data: { userId, tokenHash: reset.hash, expiresAt, requestedAt: now.toISOString() },
      },
      { ...context, occurredAt: now.toISOString() },
    );
  } catch (error) {
    if (isTributaryError(error) && error.category !== 'INTERNAL') return;
    throw error;
  }
  try {
    await deps.mailSender.send({
      to: email.trim(),
      subject: 'Reset your Tributary password',
      text: `Someone asked to reset the password of your Tributary account. If it was you, reset it with this token within ${PASSWORD_RESET_TTL_MINUTES} minutes:\n\n${reset.token}\n\nIf not, ignore this message; your password stays as it is.`,
    });
  } catch (error) {
    deps.logger.warn({ err: error, userId }, 'could not send a password reset');
  }
};

/** Sets a new password with a reset token, which then stops working; returns the user's id. */
export const resetPassword = async (
  deps: Pick<PasswordResetDependencies, 'eventStore' | 'now'>,
  input: { token: string; newPassword: string },
  context: Omit<CommandContext, 'occurredAt' | 'commandId'>,
): Promise<{ userId: string; position: number | null }> => {
  assertPasswordAccepted(input.newPassword, 'newPassword');
  const userId = userIdOf(input.token);
  const now = deps.now().toISOString();
  const { position } = await handleCommand(
    deps.eventStore,
    userDecider,
    userStreamId(userId),
    {
      type: 'ResetPassword',
      data: {
        userId,
        tokenHash: sha256Hex(input.token),
        passwordHash: await hashPassword(input.newPassword),
        resetAt: now,
      },
    },
    { ...context, actor: context.actor === 'anonymous' ? userId : context.actor, occurredAt: now },
  );
  return { userId, position };
};
