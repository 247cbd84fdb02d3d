import type { Role } from '../../domain/users/roles.js';
import type { ApiKeyRevocationReason } from '../../domain/users/userEvent.js';
import type { UserStatus } from '../../domain/users/userState.js';
import type { ApiKeyRow, UserRow } from './userRow.js';

/** An API key as clients see it: enough to tell keys apart and see their scope, nothing to use. */
export interface ApiKeyView {
  id: string;
  name: string;
  role: Role;
  pipelineIds: string[] | null;
  prefix: string;
  createdAt: string;
  revokedAt: string | null;
  revokedReason: ApiKeyRevocationReason | null;
}

/** A user as clients see it, plain JSON; the API's `User` type resolves from this shape. */
export interface UserView {
  id: string;
  email: string;
  role: Role;
  status: UserStatus;
  emailVerified: boolean;
  createdAt: string;
  invitedAt: string | null;
  invitationExpiresAt: string | null;
  acceptedAt: string | null;
  emailVerificationRequestedAt: string | null;
  emailVerificationExpiresAt: string | null;
  emailVerifiedAt: string | null;
  passwordChangedAt: string | null;
  lastLoginAt: string | null;
  lastFailedLoginAt: string | null;
  failedLoginCount: number;
  lockedUntil: string | null;
  deactivatedAt: string | null;
  updatedAt: string;
  position: string;
  apiKeys: ApiKeyView[];
}

const iso = (date: Date | null): string | null => date?.toISOString() ?? null;

export const toApiKeyView = (row: ApiKeyRow): ApiKeyView => ({
  id: row.id,
  name: row.name,
  role: row.role,
  pipelineIds: row.pipeline_ids,
  prefix: row.prefix,
  createdAt: row.created_at.toISOString(),
  revokedAt: iso(row.revoked_at),
  revokedReason: row.revoked_reason,
});

export const toUserView = (row: UserRow, apiKeys: readonly ApiKeyRow[]): UserView => ({
  id: row.id,
  email: row.email,
  role: row.role,
  status: row.status,
  emailVerified: row.email_verified,
  createdAt: row.created_at.toISOString(),
  invitedAt: iso(row.invited_at),
  invitationExpiresAt: iso(row.invitation_expires_at),
  acceptedAt: iso(row.accepted_at),
  emailVerificationRequestedAt: iso(row.email_verification_requested_at),
  emailVerificationExpiresAt: iso(row.email_verification_expires_at),
  emailVerifiedAt: iso(row.email_verified_at),
  passwordChangedAt: iso(row.password_changed_at),
  lastLoginAt: iso(row.last_login_at),
  lastFailedLoginAt: iso(row.last_failed_login_at),
  failedLoginCount: row.failed_login_count,
  lockedUntil: iso(row.locked_until),
  deactivatedAt: iso(row.deactivated_at),
  updatedAt: row.updated_at.toISOString(),
  position: String(row.last_position),
  apiKeys: apiKeys.filter((key) => key.user_id === row.id).map(toApiKeyView),
});
