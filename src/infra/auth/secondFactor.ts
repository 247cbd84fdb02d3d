import type { UserEvent, UserState } from '../../domain/users/user.js';
import { userDecider, userStreamId } from '../../domain/users/user.js';
import { evolveCredentials, initialCredentials } from '../../domain/users/userCredentials.js';
import { TributaryError } from '../../errors.js';
import type { SecretCipher } from '../crypto/secretCipher.js';
import { isTotpCodeValid, newTotpSecret, totpStepOf, totpUri } from '../crypto/totp.js';
import type { EventStore } from '../eventstore/eventStore.js';
import { type CommandContext, handleCommand } from '../eventstore/handleCommand.js';
import { upcastEvent } from '../eventstore/upcast.js';

export interface SecondFactorDependencies {
  eventStore: EventStore;
  /** Encrypts TOTP secrets at rest; without one (SECRETS_KEYS unset) TOTP cannot be set up. */
  secretCipher: SecretCipher | null;
  now(): Date;
}

type Context = Omit<CommandContext, 'occurredAt' | 'commandId'>;

const cipherOf = (deps: SecondFactorDependencies): SecretCipher => {
  if (deps.secretCipher === null)
    throw new TributaryError('SECRETS_NOT_CONFIGURED', {
      message: 'TOTP secrets are stored encrypted, and no key is configured: set SECRETS_KEYS',
    });
  return deps.secretCipher;
};

/** The user's state and credentials, folded from the user's stream. */
export const loadUserWithCredentials = async (eventStore: EventStore, userId: string) => {
  const events = (await eventStore.readStream(userStreamId(userId))).map(
    (event) => upcastEvent(event) as unknown as UserEvent,
  );
  return {
    state: events.reduce<UserState>(userDecider.evolve, userDecider.initialState),
    credentials: events.reduce(evolveCredentials, initialCredentials),
  };
};

/**
 * Whether `code` is the user's current TOTP code. Codes are checked against the pending secret
 * while enrolling, the confirmed one after.
 */
/** The step of the user's code (see totpStepOf), or null when it is not a code of theirs now. */
export const userTotpStep = async (
  deps: SecondFactorDependencies,
  userId: string,
  code: string,
): Promise<number | null> => {
  const { credentials } = await loadUserWithCredentials(deps.eventStore, userId);
  if (credentials.totpSecret === null) return null;
  return totpStepOf(cipherOf(deps).decrypt(credentials.totpSecret), code.trim(), deps.now());
};

export const isUserTotpCodeValid = async (
  deps: SecondFactorDependencies,
  userId: string,
  code: string,
): Promise<boolean> => {
  const { credentials } = await loadUserWithCredentials(deps.eventStore, userId);
  if (credentials.totpSecret === null) return false;
  return isTotpCodeValid(cipherOf(deps).decrypt(credentials.totpSecret), code.trim(), deps.now());
};

/**
 * Starts (or starts again) setting up TOTP: a new secret, stored encrypted, shown this once as
 * the secret and an otpauth:// URI. Logins need codes only once `confirmTotp` has seen one.
 */
export const enrollTotp = async (deps: SecondFactorDependencies, userId: string, context: Context) => {
  const { state } = await loadUserWithCredentials(deps.eventStore, userId);
  if (state.status === 'none') throw new TributaryError('USER_NOT_FOUND');
  const secret = newTotpSecret();
  const at = deps.now().toISOString();
  await handleCommand(
    deps.eventStore,
    userDecider,
    userStreamId(userId),
    { type: 'StartTotpEnrollment', data: { userId, secret: cipherOf(deps).encrypt(secret), startedAt: at } },
    { ...context, occurredAt: at },
  );
  return { secret, uri: totpUri(secret, state.email) };
};

/** Turns TOTP on once a code made with the pending secret checks out. */
export const confirmTotp = async (
  deps: SecondFactorDependencies,
  userId: string,
  code: string,
  context: Context,
) => {
  const { state } = await loadUserWithCredentials(deps.eventStore, userId);
  if (state.status !== 'none' && state.totp === 'on') throw new TributaryError('TOTP_ALREADY_ENABLED');
  if (state.status === 'none' || state.totp !== 'pending') throw new TributaryError('TOTP_NOT_ENROLLED');
  if (!(await isUserTotpCodeValid(deps, userId, code))) throw new TributaryError('INVALID_TOTP_CODE');
  const at = deps.now().toISOString();
  return handleCommand(
    deps.eventStore,
    userDecider,
    userStreamId(userId),
    { type: 'EnableTotp', data: { userId, enabledAt: at } },
    { ...context, occurredAt: at },
  );
};

export const disableTotp = async (deps: SecondFactorDependencies, userId: string, context: Context) => {
  const at = deps.now().toISOString();
  return handleCommand(
    deps.eventStore,
    userDecider,
    userStreamId(userId),
    { type: 'DisableTotp', data: { userId, disabledAt: at } },
    { ...context, occurredAt: at },
  );
};
