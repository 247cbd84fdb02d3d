import type { IResolvers } from 'mercurius';
import {
  isStartedBefore,
  type SessionCommand,
  type SessionEvent,
  type SessionState,
  sessionDecider,
  sessionStreamId,
} from '../../domain/sessions/session.js';
import { isLockedAt } from '../../domain/users/loginPolicy.js';
import { type UserCommand, userDecider, userStreamId } from '../../domain/users/user.js';
import { TributaryError } from '../../errors.js';
import { requestPasswordReset, resetPassword } from '../../infra/auth/passwordReset.js';
import { familyIdOf, newRefreshToken } from '../../infra/auth/refreshTokens.js';
import {
  confirmTotp,
  disableTotp,
  enrollTotp,
  loadUserWithCredentials,
  userTotpStep,
} from '../../infra/auth/secondFactor.js';
import { hashPassword, verifyPassword } from '../../infra/crypto/passwordHasher.js';
import { sha256Hex } from '../../infra/crypto/secretToken.js';
import type { ApiContext } from '../apiServices.js';
import type { SessionTokens } from '../authentication.js';
import { authorize } from '../authorize.js';
import { runCommand } from './runCommand.js';
import { userIdForEmail } from './userInput.js';

// Longer than any password the API accepts: hashing more would only cost us time.
const MAX_PASSWORD_LENGTH = 1024;

// Compared against when the address is unknown, so a wrong address takes as long as a wrong
// password and the timing does not tell which addresses have accounts.
let decoyHash: Promise<string> | undefined;
const decoy = () => {
  decoyHash ??= hashPassword('decoy password that matches nothing');
  return decoyHash;
};

const tokensOf = (context: ApiContext): SessionTokens => {
  if (!context.sessionTokens)
    throw new TributaryError('INTERNAL_ERROR', { message: 'This API issues no sessions' });
  return context.sessionTokens;
};

/** Auth commands carry no Idempotency-Key: a login or refresh repeated must not replay old tokens. */
const asActor = (context: ApiContext, actor: string): ApiContext =>
  ({ ...context, actor, commandId: undefined }) as ApiContext;

const sendUser = (context: ApiContext, command: UserCommand) =>
  runCommand(context, userDecider, userStreamId(command.data.userId), command);

const sendSession = (context: ApiContext, command: SessionCommand) =>
  runCommand(context, sessionDecider, sessionStreamId(command.data.familyId), command);

const loadUser = (context: ApiContext, userId: string) =>
  loadUserWithCredentials(context.services.eventStore, userId);

const secondsAfter = (time: Date, seconds: number) => new Date(time.getTime() + seconds * 1000).toISOString();

/** A new access token for the session, and the refresh token just issued in it. */
const sessionAnswer = async (
  context: ApiContext,
  user: { userId: string; role: string },
  familyId: string,
  refresh: { token: string; expiresAt: string },
) => {
  const access = await tokensOf(context).accessTokens.issue(
    { userId: user.userId, sessionId: familyId },
    context.services.now(),
  );
  return {
    userId: user.userId,
    role: user.role,
    accessToken: access.token,
    accessTokenExpiresAt: access.expiresAt,
    refreshToken: refresh.token,
    refreshTokenExpiresAt: refresh.expiresAt,
  };
};

const login = async (
  _root: unknown,
  args: { email: string; password: string; totpCode?: string | null },
  context: ApiContext,
) => {
  authorize(context, 'auth.login');
  const now = context.services.now();
  const userId = userIdForEmail(args.email);
  const { state, credentials } = await loadUser(context, userId);
  const password = args.password.slice(0, MAX_PASSWORD_LENGTH);
  if (state.status !== 'active' || credentials.passwordHash === null) {
    await verifyPassword(password, await decoy());
    throw new TributaryError('INVALID_CREDENTIALS');
  }
  // Refused before the password is checked: a locked account gives no oracle to guess against.
  if (isLockedAt(state.lockedUntil, now.toISOString())) throw new TributaryError('USER_LOCKED');
  const asUser = asActor(context, userId);
  const recordFailure = async () => {
    const { events } = await sendUser(asUser, {
      type: 'RecordLoginFailed',
      data: { userId, attemptedAt: now.toISOString() },
    });
    if (events.some((event) => event.type === 'UserLocked')) throw new TributaryError('USER_LOCKED');
    throw new TributaryError('INVALID_CREDENTIALS');
  };
  if (!(await verifyPassword(password, credentials.passwordHash))) return recordFailure();
  let totpStep: number | null = null;
  if (state.totp === 'on') {
    // Asked for only after the right password; a wrong code counts as a failed login.
    if (!args.totpCode) throw new TributaryError('TOTP_REQUIRED');
    const secondFactor = {
      eventStore: context.services.eventStore,
      secretCipher: context.services.secretCipher,
      now: () => now,
    };
    totpStep = await userTotpStep(secondFactor, userId, args.totpCode);
    // A code already used is refused like a wrong one: someone may have seen it.
    if (totpStep === null || (state.lastTotpStep ?? -1) >= totpStep) return recordFailure();
  }
  await sendUser(asUser, {
    type: 'RecordLoginSucceeded',
    data: { userId, attemptedAt: now.toISOString(), ...(totpStep !== null && { totpStep }) },
  });
  const familyId = context.services.newId();
  const refresh = newRefreshToken(familyId);
  const expiresAt = secondsAfter(now, tokensOf(context).refreshTokenTtlSeconds);
  await sendSession(asUser, {
    type: 'StartSession',
    data: { familyId, userId, refreshTokenHash: refresh.hash, expiresAt, startedAt: now.toISOString() },
  });
  return sessionAnswer(context, state, familyId, { token: refresh.token, expiresAt });
};

const refreshSession = async (_root: unknown, args: { refreshToken: string }, context: ApiContext) => {
  authorize(context, 'auth.refresh');
  const familyId = familyIdOf(args.refreshToken);
  if (familyId === null) throw new TributaryError('INVALID_TOKEN');
  const now = context.services.now();
  const presentedTokenHash = sha256Hex(args.refreshToken);
  // The user must still be able to sign in, with the password the session began under.
  const session = (
    await context.services.eventStore.readStream(sessionStreamId(familyId))
  ).reduce<SessionState>(
    (state, event) => sessionDecider.evolve(state, event as unknown as SessionEvent),
    sessionDecider.initialState,
  );
  if (session.status === 'none') throw new TributaryError('INVALID_TOKEN');
  const { state, credentials } = await loadUser(context, session.userId);
  const ended =
    state.status !== 'active'
      ? 'user_unavailable'
      : isStartedBefore(session, credentials.passwordSetAt)
        ? 'password_changed'
        : null;
  if (ended !== null || state.status !== 'active') {
    // Written only for a token of the family (the decider checks); a stranger's changes nothing.
    await sendSession(asActor(context, session.userId), {
      type: 'RevokeSession',
      data: {
        familyId,
        presentedTokenHash,
        reason: ended ?? 'user_unavailable',
        revokedAt: now.toISOString(),
      },
    });
    throw new TributaryError('SESSION_REVOKED');
  }
  const next = newRefreshToken(familyId);
  const expiresAt = secondsAfter(now, tokensOf(context).refreshTokenTtlSeconds);
  const { events } = await sendSession(asActor(context, session.userId), {
    type: 'RefreshSession',
    data: {
      familyId,
      presentedTokenHash,
      refreshTokenHash: next.hash,
      expiresAt,
      refreshedAt: now.toISOString(),
    },
  });
  if (events[0]?.type !== 'SessionRefreshed') {
    throw new TributaryError('SESSION_REVOKED', {
      message: 'This refresh token was used before, so the session has been ended: sign in again',
    });
  }
  return sessionAnswer(context, state, familyId, { token: next.token, expiresAt });
};

const logout = async (_root: unknown, args: { refreshToken: string }, context: ApiContext) => {
  authorize(context, 'auth.logout');
  const familyId = familyIdOf(args.refreshToken);
  if (familyId === null) throw new TributaryError('INVALID_TOKEN');
  const { position } = await sendSession(asActor(context, context.actor), {
    type: 'RevokeSession',
    data: {
      familyId,
      presentedTokenHash: sha256Hex(args.refreshToken),
      reason: 'logout',
      revokedAt: context.services.now().toISOString(),
    },
  });
  return { position };
};

/**
 * Sign-in and sessions. Passwords are compared here, never logged, and never reach a command;
 * tokens go back to the caller once and are kept only as hashes.
 */
export const authResolvers: IResolvers = {
  Mutation: { login, refreshSession, logout },
};

const accountServices = (context: ApiContext) => ({
  eventStore: context.services.eventStore,
  secretCipher: context.services.secretCipher,
  now: () => context.services.now(),
});

/** The signed-in user, for the mutations on one's own account. */
const signedInUser = (context: ApiContext): string => {
  if (context.principal.kind !== 'user' || context.principal.userId === null)
    throw new TributaryError('UNAUTHENTICATED', { message: 'Sign in as a user (an API key cannot do this)' });
  return context.principal.userId;
};

/**
 * Password reset and the TOTP second factor. Kept apart from `authResolvers` until the
 * authorization table (fieldActions.ts) names their fields: a resolver it does not know stops
 * the API at start. Their SDL is in the note of the commit that added them.
 */
export const accountResolvers: IResolvers = {
  Mutation: {
    requestPasswordReset: async (_root, { email }: { email: string }, context: ApiContext) => {
      authorize(context, 'auth.requestPasswordReset');
      const mailSender = tokensOf(context).mailSender;
      if (!mailSender) throw new TributaryError('MAIL_NOT_CONFIGURED');
      const logger = context.reply?.log ?? context.app.log;
      await requestPasswordReset({ ...accountServices(context), mailSender, logger }, email, {
        actor: context.actor,
        correlationId: context.correlationId,
      });
      // The same answer whether or not the address has an account.
      return true;
    },
    resetPassword: async (_root, args: { token: string; newPassword: string }, context: ApiContext) => {
      authorize(context, 'auth.resetPassword');
      const { userId, position } = await resetPassword(accountServices(context), args, {
        actor: context.actor,
        correlationId: context.correlationId,
      });
      return { userId, position: position === null ? null : String(position) };
    },
    enrollTotp: async (_root, _args: unknown, context: ApiContext) => {
      authorize(context, 'auth.manageTotp');
      const userId = signedInUser(context);
      return enrollTotp(accountServices(context), userId, {
        actor: context.actor,
        correlationId: context.correlationId,
      });
    },
    confirmTotp: async (_root, { code }: { code: string }, context: ApiContext) => {
      authorize(context, 'auth.manageTotp');
      const userId = signedInUser(context);
      const { position } = await confirmTotp(accountServices(context), userId, code, {
        actor: context.actor,
        correlationId: context.correlationId,
      });
      return { userId, position: position === null ? null : String(position) };
    },
    disableTotp: async (_root, _args: unknown, context: ApiContext) => {
      authorize(context, 'auth.manageTotp');
      const userId = signedInUser(context);
      const { position } = await disableTotp(accountServices(context), userId, {
        actor: context.actor,
        correlationId: context.correlationId,
      });
      return { userId, position: position === null ? null : String(position) };
    },
  },
};
