import { type FieldProblem, TributaryError, ValidationError } from '../../errors.js';
import { assertNever, type Decider } from '../decider.js';
import { encryptedSecretProblems } from '../encryptedSecret.js';
import { assertTokenAccepted } from './issuedToken.js';
import { isLockedAt, lockedUntilAfter, MAX_FAILED_LOGINS } from './loginPolicy.js';
import { isKeyRoleAllowed, type Role } from './roles.js';
import type { UserCommand } from './userCommand.js';
import type { ApiKeyRevocationReason, UserEvent } from './userEvent.js';
import { evolveUser, type KnownUser, type UserState } from './userState.js';
import {
  apiKeyProblems,
  emailProblems,
  expiryProblems,
  normaliseEmail,
  passwordHashProblems,
  roleProblems,
  tokenHashProblems,
} from './userValidation.js';

export { LOCK_DURATION_MINUTES, MAX_FAILED_LOGINS } from './loginPolicy.js';
export { ROLES, type Role } from './roles.js';
export type { UserCommand } from './userCommand.js';
export type { ApiKeyRevocationReason, UserEvent } from './userEvent.js';
export type { ApiKeySummary, KnownUser, UserState, UserStatus } from './userState.js';

export const userStreamId = (userId: string): string => `user-${userId}`;

const rejectIfAny = (problems: FieldProblem[]): void => {
  if (problems.length > 0) throw new ValidationError(problems);
};

const emailOf = (value: unknown): string => (typeof value === 'string' ? normaliseEmail(value) : '');

const existing = (state: UserState): KnownUser => {
  if (state.status === 'none') throw new TributaryError('USER_NOT_FOUND');
  return state;
};

const notDeactivated = (state: UserState): KnownUser => {
  const user = existing(state);
  if (user.status === 'deactivated') throw new TributaryError('USER_DEACTIVATED');
  return user;
};

/** A user who can sign in: the invitation accepted, not deactivated. */
const active = (state: UserState): KnownUser => {
  const user = notDeactivated(state);
  if (user.status === 'invited') throw new TributaryError('INVITATION_PENDING');
  return user;
};

const revokeKeys = (
  user: KnownUser,
  reason: ApiKeyRevocationReason,
  revokedAt: string,
  keep: (role: Role) => boolean = () => false,
): UserEvent[] =>
  user.apiKeys
    .filter((key) => !key.revoked && !keep(key.role))
    .map((key) => ({
      type: 'ApiKeyRevoked',
      data: { userId: user.userId, keyId: key.keyId, reason, revokedAt },
    }));

/**
 * A login attempt on a locked account is refused outright; once the lock has run out, the
 * first attempt records the unlock before itself.
 */
const unlockIfExpired = (user: KnownUser, attemptedAt: string): UserEvent[] => {
  if (user.lockedUntil === null) return [];
  if (isLockedAt(user.lockedUntil, attemptedAt)) throw new TributaryError('USER_LOCKED');
  return [
    { type: 'UserUnlocked', data: { userId: user.userId, reason: 'lock_expired', unlockedAt: attemptedAt } },
  ];
};

const decide = (command: UserCommand, state: UserState): UserEvent[] => {
  switch (command.type) {
    case 'BootstrapAdmin': {
      if (state.status !== 'none') throw new TributaryError('USER_ALREADY_EXISTS');
      const { userId, passwordHash, bootstrappedAt } = command.data;
      const email = emailOf(command.data.email);
      rejectIfAny([...emailProblems(email), ...passwordHashProblems(passwordHash)]);
      return [
        { type: 'AdminBootstrapped', data: { userId, email, role: 'admin', passwordHash, bootstrappedAt } },
      ];
    }
    case 'InviteUser': {
      const { userId, role, invitationTokenHash, invitationExpiresAt, invitedAt } = command.data;
      const email = emailOf(command.data.email);
      // Inviting a pending invitee again re-sends the invitation; anyone else already exists.
      const isResend = state.status === 'invited' && state.email === email;
      if (state.status !== 'none' && !isResend) throw new TributaryError('USER_ALREADY_EXISTS');
      rejectIfAny([
        ...emailProblems(email),
        ...roleProblems(role),
        ...tokenHashProblems(invitationTokenHash, 'invitationTokenHash'),
        ...expiryProblems(invitationExpiresAt, invitedAt, {
          expiresAt: 'invitationExpiresAt',
          issuedAt: 'invitedAt',
        }),
      ]);
      return [
        {
          type: 'UserInvited',
          data: { userId, email, role, invitationTokenHash, invitationExpiresAt, invitedAt },
        },
      ];
    }
    case 'AcceptInvitation': {
      const user = notDeactivated(state);
      if (user.status === 'active') throw new TributaryError('INVITATION_ALREADY_ACCEPTED');
      const { userId, invitationTokenHash, passwordHash, acceptedAt } = command.data;
      assertTokenAccepted(user.invitation, invitationTokenHash, acceptedAt);
      rejectIfAny(passwordHashProblems(passwordHash));
      return [{ type: 'InvitationAccepted', data: { userId, passwordHash, acceptedAt } }];
    }
    case 'RequestEmailVerification': {
      const user = active(state);
      if (user.emailVerified) throw new TributaryError('EMAIL_ALREADY_VERIFIED');
      const { userId, tokenHash, expiresAt, requestedAt } = command.data;
      rejectIfAny([
        ...tokenHashProblems(tokenHash, 'tokenHash'),
        ...expiryProblems(expiresAt, requestedAt, { expiresAt: 'expiresAt', issuedAt: 'requestedAt' }),
      ]);
      return [{ type: 'EmailVerificationRequested', data: { userId, tokenHash, expiresAt, requestedAt } }];
    }
    case 'VerifyEmail': {
      const user = active(state);
      if (user.emailVerified) throw new TributaryError('EMAIL_ALREADY_VERIFIED');
      const { userId, tokenHash, verifiedAt } = command.data;
      assertTokenAccepted(user.emailVerification, tokenHash, verifiedAt);
      return [{ type: 'EmailVerified', data: { userId, verifiedAt } }];
    }
    case 'ChangeRole': {
      const user = notDeactivated(state);
      const { userId, role, changedAt } = command.data;
      rejectIfAny(roleProblems(role));
      if (role === user.role) return [];
      // Keys the new role could not have been issued stop working with the change.
      return [
        { type: 'UserRoleChanged', data: { userId, from: user.role, to: role, changedAt } },
        ...revokeKeys(user, 'role_changed', changedAt, (keyRole) => isKeyRoleAllowed(role, keyRole)),
      ];
    }
    case 'ChangePassword': {
      active(state);
      const { userId, passwordHash, changedAt } = command.data;
      rejectIfAny(passwordHashProblems(passwordHash));
      return [{ type: 'PasswordChanged', data: { userId, passwordHash, changedAt } }];
    }
    case 'RecordLoginSucceeded': {
      const user = active(state);
      const { userId, attemptedAt, totpStep } = command.data;
      // RFC 6238 §5.2: a code is good once. One seen (or one of an earlier step) is a replay.
      if (totpStep !== undefined && user.lastTotpStep !== undefined && totpStep <= user.lastTotpStep) {
        throw new TributaryError('INVALID_TOTP_CODE', {
          message: 'This code has been used already; wait for the next one',
        });
      }
      return [
        ...unlockIfExpired(user, attemptedAt),
        {
          type: 'UserLoginSucceeded',
          data: { userId, attemptedAt, ...(totpStep !== undefined && { totpStep }) },
        },
      ];
    }
    case 'RecordLoginFailed': {
      const user = active(state);
      const { userId, attemptedAt } = command.data;
      const unlocked = unlockIfExpired(user, attemptedAt);
      // A lock resets the count, so after an expired lock this is the first failure again.
      const consecutiveFailures = (unlocked.length > 0 ? 0 : user.failedLogins) + 1;
      const events: UserEvent[] = [
        ...unlocked,
        { type: 'UserLoginFailed', data: { userId, consecutiveFailures, attemptedAt } },
      ];
      if (consecutiveFailures >= MAX_FAILED_LOGINS) {
        const lockedUntil = lockedUntilAfter(attemptedAt);
        events.push({ type: 'UserLocked', data: { userId, lockedUntil, lockedAt: attemptedAt } });
      }
      return events;
    }
    case 'UnlockUser': {
      const user = existing(state);
      if (user.lockedUntil === null) return [];
      const { userId, unlockedAt } = command.data;
      return [{ type: 'UserUnlocked', data: { userId, reason: 'admin', unlockedAt } }];
    }
    case 'DeactivateUser': {
      const user = existing(state);
      if (user.status === 'deactivated') return [];
      const { userId, deactivatedAt } = command.data;
      // Keys go with the user, and stay revoked if the user comes back.
      return [
        { type: 'UserDeactivated', data: { userId, deactivatedAt } },
        ...revokeKeys(user, 'user_deactivated', deactivatedAt),
      ];
    }
    case 'ReactivateUser': {
      const user = existing(state);
      if (user.status !== 'deactivated') return [];
      return [{ type: 'UserReactivated', data: command.data }];
    }
    case 'IssueApiKey': {
      const user = active(state);
      const { userId, keyId, role, pipelineIds, keyHash, prefix, issuedAt } = command.data;
      if (user.apiKeys.some((key) => key.keyId === keyId)) throw new TributaryError('API_KEY_ALREADY_EXISTS');
      rejectIfAny(apiKeyProblems(command.data, user.role));
      const name = command.data.name.trim();
      return [
        {
          type: 'ApiKeyIssued',
          data: { userId, keyId, name, role, pipelineIds: pipelineIds ?? null, keyHash, prefix, issuedAt },
        },
      ];
    }
    case 'RevokeApiKey': {
      const user = existing(state);
      const { userId, keyId, revokedAt } = command.data;
      const key = user.apiKeys.find((candidate) => candidate.keyId === keyId);
      if (key === undefined) throw new TributaryError('API_KEY_NOT_FOUND');
      if (key.revoked) return [];
      return [{ type: 'ApiKeyRevoked', data: { userId, keyId, reason: 'revoked', revokedAt } }];
    }
    case 'RequestPasswordReset': {
      active(state);
      const { userId, tokenHash, expiresAt, requestedAt } = command.data;
      rejectIfAny([
        ...tokenHashProblems(tokenHash, 'tokenHash'),
        ...expiryProblems(expiresAt, requestedAt, { expiresAt: 'expiresAt', issuedAt: 'requestedAt' }),
      ]);
      return [{ type: 'PasswordResetRequested', data: { userId, tokenHash, expiresAt, requestedAt } }];
    }
    case 'ResetPassword': {
      const user = active(state);
      const { userId, tokenHash, passwordHash, resetAt } = command.data;
      // Single use: the reset clears the pending token, so the same token fails the second time.
      assertTokenAccepted(user.passwordReset ?? null, tokenHash, resetAt);
      rejectIfAny(passwordHashProblems(passwordHash));
      return [{ type: 'PasswordReset', data: { userId, passwordHash, resetAt } }];
    }
    case 'StartTotpEnrollment': {
      const user = active(state);
      if (user.totp === 'on') throw new TributaryError('TOTP_ALREADY_ENABLED');
      rejectIfAny(encryptedSecretProblems(command.data.secret, 'secret'));
      return [{ type: 'TotpEnrollmentStarted', data: command.data }];
    }
    case 'EnableTotp': {
      const user = active(state);
      if (user.totp === 'on') throw new TributaryError('TOTP_ALREADY_ENABLED');
      if (user.totp !== 'pending') throw new TributaryError('TOTP_NOT_ENROLLED');
      return [{ type: 'TotpEnabled', data: command.data }];
    }
    case 'DisableTotp': {
      const user = existing(state);
      if (user.totp === undefined || user.totp === 'off') return [];
      return [{ type: 'TotpDisabled', data: command.data }];
    }
    default:
      return assertNever(command);
  }
};

export const userDecider: Decider<UserCommand, UserEvent, UserState> = {
  initialState: { status: 'none' },
  decide,
  evolve: evolveUser,
};
