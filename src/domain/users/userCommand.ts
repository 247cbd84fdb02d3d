import type { EncryptedSecret } from '../encryptedSecret.js';
import type { Role } from './roles.js';

/**
 * What can be asked of a user. Secrets never arrive here: the caller hashes passwords (a PHC
 * string such as `$scrypt$…`), tokens and API keys (SHA-256, hex) before building the command,
 * and supplies every time from its clock. Who asks (the actor) travels in the event metadata;
 * whether they may ask is checked at the API's edge.
 */
export type UserCommand =
  | {
      /** The first admin, created from the CLI on an empty platform (the caller checks "first"). */
      type: 'BootstrapAdmin';
      data: { userId: string; email: string; passwordHash: string; bootstrappedAt: string };
    }
  | {
      /** Also re-sends a pending invitation (new token, new expiry) to the same address. */
      type: 'InviteUser';
      data: {
        userId: string;
        email: string;
        role: Role;
        invitationTokenHash: string;
        invitationExpiresAt: string;
        invitedAt: string;
      };
    }
  | {
      type: 'AcceptInvitation';
      data: { userId: string; invitationTokenHash: string; passwordHash: string; acceptedAt: string };
    }
  | {
      type: 'RequestEmailVerification';
      data: { userId: string; tokenHash: string; expiresAt: string; requestedAt: string };
    }
  | { type: 'VerifyEmail'; data: { userId: string; tokenHash: string; verifiedAt: string } }
  | { type: 'ChangeRole'; data: { userId: string; role: Role; changedAt: string } }
  | { type: 'ChangePassword'; data: { userId: string; passwordHash: string; changedAt: string } }
  | {
      /** `totpStep`: the step of the second-factor code used, for an account that has one. */
      type: 'RecordLoginSucceeded';
      data: { userId: string; attemptedAt: string; totpStep?: number };
    }
  | { type: 'RecordLoginFailed'; data: { userId: string; attemptedAt: string } }
  | { type: 'UnlockUser'; data: { userId: string; unlockedAt: string } }
  | { type: 'DeactivateUser'; data: { userId: string; deactivatedAt: string } }
  | { type: 'ReactivateUser'; data: { userId: string; reactivatedAt: string } }
  | {
      type: 'IssueApiKey';
      data: {
        userId: string;
        keyId: string;
        name: string;
        role: Role;
        /** The pipelines the key may act on; left out, it may act on all its role allows. */
        pipelineIds?: string[];
        keyHash: string;
        /** The first characters of the key, shown in lists so its owner can tell keys apart. */
        prefix: string;
        issuedAt: string;
      };
    }
  | { type: 'RevokeApiKey'; data: { userId: string; keyId: string; revokedAt: string } }
  | {
      /** A reset link for the user's address; the caller sends the token and answers alike either way. */
      type: 'RequestPasswordReset';
      data: { userId: string; tokenHash: string; expiresAt: string; requestedAt: string };
    }
  | {
      type: 'ResetPassword';
      data: { userId: string; tokenHash: string; passwordHash: string; resetAt: string };
    }
  | {
      /** A new TOTP secret, encrypted by the caller; it counts once a code made with it is confirmed. */
      type: 'StartTotpEnrollment';
      data: { userId: string; secret: EncryptedSecret; startedAt: string };
    }
  | {
      /** The caller has checked a code made with the pending secret. */
      type: 'EnableTotp';
      data: { userId: string; enabledAt: string };
    }
  | { type: 'DisableTotp'; data: { userId: string; disabledAt: string } };
