import { assertNever } from '../decider.js';
import type { EncryptedSecret } from '../encryptedSecret.js';
import type { UserEvent } from './userEvent.js';

/**
 * What a login checks that the decider's state leaves out on purpose: the current password
 * hash. Folded from the user's events at login only, and never put in a read model.
 */
export interface UserCredentials {
  passwordHash: string | null;
  /** The TOTP secret, encrypted: the confirmed one, or the one awaiting its first code. */
  totpSecret: EncryptedSecret | null;
  /** When the password was last changed or reset: sessions started before then no longer count. */
  passwordSetAt: string | null;
}

export const initialCredentials: UserCredentials = {
  passwordHash: null,
  totpSecret: null,
  passwordSetAt: null,
};

export const evolveCredentials = (credentials: UserCredentials, event: UserEvent): UserCredentials => {
  switch (event.type) {
    case 'AdminBootstrapped':
    case 'InvitationAccepted':
      return { ...credentials, passwordHash: event.data.passwordHash };
    case 'PasswordChanged':
      return { ...credentials, passwordHash: event.data.passwordHash, passwordSetAt: event.data.changedAt };
    case 'PasswordReset':
      return { ...credentials, passwordHash: event.data.passwordHash, passwordSetAt: event.data.resetAt };
    case 'UserInvited':
      // The same address invited anew after a deactivation starts without a password.
      return initialCredentials;
    case 'EmailVerificationRequested':
    case 'EmailVerified':
    case 'UserRoleChanged':
    case 'UserLoginSucceeded':
    case 'UserLoginFailed':
    case 'UserLocked':
    case 'UserUnlocked':
    case 'UserDeactivated':
    case 'UserReactivated':
    case 'ApiKeyIssued':
    case 'ApiKeyRevoked':
    case 'PasswordResetRequested':
    case 'TotpEnabled':
      return credentials;
    case 'TotpEnrollmentStarted':
      return { ...credentials, totpSecret: event.data.secret };
    case 'TotpDisabled':
      return { ...credentials, totpSecret: null };
    default:
      return assertNever(event);
  }
};
