import type { EncryptedSecret } from '../encryptedSecret.js';
import type { Role } from './roles.js';

/** Why a key stopped working: its owner revoked it, or a change to the owner took it away. */
export type ApiKeyRevocationReason = 'revoked' | 'user_deactivated' | 'role_changed';

/**
 * What happened to a user. Events hold hashes, never passwords, tokens or keys; even so, a
 * hash is worth guarding (see the relay), and no event repeats one it does not need.
 */
export type UserEvent =
  | {
      type: 'AdminBootstrapped';
      data: { userId: string; email: string; role: 'admin'; passwordHash: string; bootstrappedAt: string };
    }
  | {
      type: 'UserInvited';
      data: {
        userId: string;
        email: string;
        role: Role;
        invitationTokenHash: string;
        invitationExpiresAt: string;
        invitedAt: string;
      };
    }
  | { type: 'InvitationAccepted'; data: { userId: string; passwordHash: string; acceptedAt: string } }
  | {
      type: 'EmailVerificationRequested';
      data: { userId: string; tokenHash: string; expiresAt: string; requestedAt: string };
    }
  | { type: 'EmailVerified'; data: { userId: string; verifiedAt: string } }
  | { type: 'UserRoleChanged'; data: { userId: string; from: Role; to: Role; changedAt: string } }
  | { type: 'PasswordChanged'; data: { userId: string; passwordHash: string; changedAt: string } }
  | { type: 'UserLoginSucceeded'; data: { userId: string; attemptedAt: string; totpStep?: number } }
  | {
      type: 'UserLoginFailed';
      data: { userId: string; consecutiveFailures: number; attemptedAt: string };
    }
  | { type: 'UserLocked'; data: { userId: string; lockedUntil: string; lockedAt: string } }
  | {
      type: 'UserUnlocked';
      data: { userId: string; reason: 'admin' | 'lock_expired'; unlockedAt: string };
    }
  | { type: 'UserDeactivated'; data: { userId: string; deactivatedAt: string } }
  | { type: 'UserReactivated'; data: { userId: string; reactivatedAt: string } }
  | {
      type: 'ApiKeyIssued';
      data: {
        userId: string;
        keyId: string;
        name: string;
        role: Role;
        /** null: every pipeline the role allows. */
        pipelineIds: string[] | null;
        keyHash: string;
        prefix: string;
        issuedAt: string;
      };
    }
  | {
      type: 'ApiKeyRevoked';
      data: { userId: string; keyId: string; reason: ApiKeyRevocationReason; revokedAt: string };
    }
  | {
      type: 'PasswordResetRequested';
      data: { userId: string; tokenHash: string; expiresAt: string; requestedAt: string };
    }
  | { type: 'PasswordReset'; data: { userId: string; passwordHash: string; resetAt: string } }
  | { type: 'TotpEnrollmentStarted'; data: { userId: string; secret: EncryptedSecret; startedAt: string } }
  | { type: 'TotpEnabled'; data: { userId: string; enabledAt: string } }
  | { type: 'TotpDisabled'; data: { userId: string; disabledAt: string } };

/** Every UserEvent type, for code that must cover them all (schemas, upcasters); a type test keeps it whole. */
export const userEventTypes = [
  'AdminBootstrapped',
  'UserInvited',
  'InvitationAccepted',
  'EmailVerificationRequested',
  'EmailVerified',
  'UserRoleChanged',
  'PasswordChanged',
  'UserLoginSucceeded',
  'UserLoginFailed',
  'UserLocked',
  'UserUnlocked',
  'UserDeactivated',
  'UserReactivated',
  'ApiKeyIssued',
  'ApiKeyRevoked',
  'PasswordResetRequested',
  'PasswordReset',
  'TotpEnrollmentStarted',
  'TotpEnabled',
  'TotpDisabled',
] as const satisfies readonly UserEvent['type'][];
