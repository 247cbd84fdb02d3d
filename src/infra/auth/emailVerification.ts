import { EMAIL_VERIFICATION_TTL_HOURS, hoursAfter } from '../../api/resolvers/userInput.js';
import { type UserEvent, userDecider, userStreamId } from '../../domain/users/user.js';
import { TributaryError } from '../../errors.js';
import { newSecretToken } from '../crypto/secretToken.js';
import type { EventStore } from '../eventstore/eventStore.js';
import { type CommandContext, handleCommand } from '../eventstore/handleCommand.js';
import type { MailSender } from '../mail/mailSender.js';
import { loadUserWithCredentials } from './secondFactor.js';

export interface EmailVerificationDependencies {
  eventStore: EventStore;
  mailSender: MailSender | undefined;
  now(): Date;
}

/**
 * Starts a verification of the user's address: the token goes to that address and nowhere else,
 * so verifying proves the user reads its mail. (Returning it to the requester, as the API once
 * did, let anyone "verify" an address they do not own.) A repeat of a request (same
 * Idempotency-Key) records nothing and sends nothing again.
 */
export const requestEmailVerification = async (
  deps: EmailVerificationDependencies,
  userId: string,
  context: Omit<CommandContext, 'occurredAt'>,
): Promise<{ position: number | null; expiresAt: string | undefined }> => {
  // Refused before anything is recorded: a token nobody can receive would only block the next one.
  if (!deps.mailSender) throw new TributaryError('MAIL_NOT_CONFIGURED');
  const { state } = await loadUserWithCredentials(deps.eventStore, userId);
  const verification = newSecretToken();
  const requestedAt = deps.now();
  const { events, position } = await handleCommand(
    deps.eventStore,
    userDecider,
    userStreamId(userId),
    {
      type: 'RequestEmailVerification',
      data: {
        userId,
        tokenHash: verification.hash,
        expiresAt: hoursAfter(requestedAt, EMAIL_VERIFICATION_TTL_HOURS),
        requestedAt: requestedAt.toISOString(),
      },
    },
    { ...context, occurredAt: requestedAt.toISOString() },
  );
  const requested = (events as UserEvent[]).find(
    (event): event is Extract<UserEvent, { type: 'EmailVerificationRequested' }> =>
      event.type === 'EmailVerificationRequested',
  );
  if (requested?.data.tokenHash === verification.hash && state.status !== 'none') {
    try {
      await deps.mailSender.send({
        to: state.email,
        subject: 'Verify your Tributary e-mail address',
        text: `Confirm that this address belongs to your Tributary account with this token within ${EMAIL_VERIFICATION_TTL_HOURS} hours:\n\nuser: ${userId}\ntoken: ${verification.token}\n\nIf you did not ask for this, ignore this message.`,
      });
    } catch (error) {
      // The request is recorded with a token nobody received; asking again replaces it.
      throw new TributaryError('MAIL_NOT_SENT', { cause: error });
    }
  }
  return { position, expiresAt: requested?.data.expiresAt };
};
