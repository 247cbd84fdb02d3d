import { assertNever } from '../decider.js';
import type { IssuedToken } from './issuedToken.js';
import type { Role } from './roles.js';
import type { UserEvent } from './userEvent.js';

/**
 * `invited` until the invitation is accepted, then `active`; `deactivated` from either. A lock
 * after failed logins is not a status but `lockedUntil`: it ends by itself.
 */
export type UserStatus = 'invited' | 'active' | 'deactivated';

export interface ApiKeySummary {
  keyId: string;
  role: Role;
  revoked: boolean;
}

/** Only what `decide` needs: hashes of passwords and keys live in events and read models. */
export interface KnownUser {
  status: UserStatus;
  userId: string;
  email: string;
  role: Role;
  hasPassword: boolean;
  invitation: IssuedToken | null;
  emailVerified: boolean;
  emailVerification: IssuedToken | null;
  failedLogins: number;
  lockedUntil: string | null;
  apiKeys: ApiKeySummary[];
  /** The pending password reset; null once used or when none was asked for. */
  passwordReset?: IssuedToken | null;
  /** The second factor: off (absent), a secret waiting for its first code, or on. */
  totp?: 'off' | 'pending' | 'on';
  /** The step of the last second-factor code a login used: each code is accepted once. */
  lastTotpStep?: number;
}

export type UserState = { status: 'none' } | KnownUser;

const newUser = (userId: string, email: string, role: Role): KnownUser => ({
  status: 'invited',
  userId,
  email,
  role,
  hasPassword: false,
  invitation: null,
  emailVerified: false,
  emailVerification: null,
  failedLogins: 0,
  lockedUntil: null,
  apiKeys: [],
});

// Events of a user that does not exist cannot come from this decider; the fold ignores them.
const update = (state: UserState, change: (user: KnownUser) => Partial<KnownUser>): UserState =>
  state.status === 'none' ? state : { ...state, ...change(state) };

export const evolveUser = (state: UserState, event: UserEvent): UserState => {
  switch (event.type) {
    case 'AdminBootstrapped': {
      const { userId, email } = event.data;
      return { ...newUser(userId, email, 'admin'), status: 'active', hasPassword: true };
    }
    case 'UserInvited': {
      const { userId, email, role, invitationTokenHash, invitationExpiresAt } = event.data;
      return {
        ...newUser(userId, email, role),
        invitation: { tokenHash: invitationTokenHash, expiresAt: invitationExpiresAt },
      };
    }
    case 'InvitationAccepted':
      // The invitation went to this address only, so accepting it proves the address.
      return update(state, () => ({
        status: 'active',
        hasPassword: true,
        invitation: null,
        emailVerified: true,
      }));
    case 'EmailVerificationRequested': {
      const { tokenHash, expiresAt } = event.data;
      return update(state, () => ({ emailVerification: { tokenHash, expiresAt } }));
    }
    case 'EmailVerified':
      return update(state, () => ({ emailVerified: true, emailVerification: null }));
    case 'UserRoleChanged':
      return update(state, () => ({ role: event.data.to }));
    case 'PasswordChanged':
      return update(state, () => ({ hasPassword: true }));
    case 'UserLoginSucceeded': {
      const { totpStep } = event.data;
      // Null when the event was read back through Avro without one.
      return update(state, () => ({ failedLogins: 0, ...(totpStep != null && { lastTotpStep: totpStep }) }));
    }
    case 'UserLoginFailed':
      return update(state, () => ({ failedLogins: event.data.consecutiveFailures }));
    case 'UserLocked':
      return update(state, () => ({ lockedUntil: event.data.lockedUntil, failedLogins: 0 }));
    case 'UserUnlocked':
      return update(state, () => ({ lockedUntil: null, failedLogins: 0 }));
    case 'UserDeactivated':
      return update(state, () => ({ status: 'deactivated' }));
    case 'UserReactivated':
      return update(state, (user) => ({ status: user.hasPassword ? 'active' : 'invited' }));
    case 'ApiKeyIssued': {
      const { keyId, role } = event.data;
      return update(state, (user) => ({ apiKeys: [...user.apiKeys, { keyId, role, revoked: false }] }));
    }
    case 'ApiKeyRevoked':
      return update(state, (user) => ({
        apiKeys: user.apiKeys.map((key) =>
          key.keyId === event.data.keyId ? { ...key, revoked: true } : key,
        ),
      }));
    case 'PasswordResetRequested': {
      const { tokenHash, expiresAt } = event.data;
      return update(state, () => ({ passwordReset: { tokenHash, expiresAt } }));
    }
    case 'PasswordReset':
      return update(state, () => ({ hasPassword: true, passwordReset: null }));
    case 'TotpEnrollmentStarted':
      return update(state, () => ({ totp: 'pending' }));
    case 'TotpEnabled':
      return update(state, () => ({ totp: 'on' }));
    case 'TotpDisabled':
      return update(state, () => ({ totp: 'off' }));
    default:
      return assertNever(event);
  }
};
