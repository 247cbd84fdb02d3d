import type { Role } from '../../domain/users/roles.js';
import type { ApiKeyRevocationReason } from '../../domain/users/userEvent.js';
import type { UserStatus } from '../../domain/users/userState.js';

/**
 * A row of the `users` read model. It holds no password, token or key hash: the events carry
 * those, and a read model that never has them cannot leak them.
 */
export interface UserRow {
  id: string;
  email: string;
  role: Role;
  status: UserStatus;
  email_verified: boolean;
  created_at: Date;
  invited_at: Date | null;
  invitation_expires_at: Date | null;
  accepted_at: Date | null;
  email_verification_requested_at: Date | null;
  email_verification_expires_at: Date | null;
  email_verified_at: Date | null;
  password_changed_at: Date | null;
  last_login_at: Date | null;
  last_failed_login_at: Date | null;
  failed_login_count: number;
  locked_until: Date | null;
  deactivated_at: Date | null;
  updated_at: Date;
  last_position: number;
}

export const USER_COLUMNS = [
  'id',
  'email',
  'role',
  'status',
  'email_verified',
  'created_at',
  'invited_at',
  'invitation_expires_at',
  'accepted_at',
  'email_verification_requested_at',
  'email_verification_expires_at',
  'email_verified_at',
  'password_changed_at',
  'last_login_at',
  'last_failed_login_at',
  'failed_login_count',
  'locked_until',
  'deactivated_at',
  'updated_at',
  'last_position',
].join(', ');

/** A row of the `api_keys` read model: what tells keys apart, never the key or its hash. */
export interface ApiKeyRow {
  user_id: string;
  id: string;
  name: string;
  role: Role;
  /** null: every pipeline the key's role allows. */
  pipeline_ids: string[] | null;
  prefix: string;
  created_at: Date;
  revoked_at: Date | null;
  revoked_reason: ApiKeyRevocationReason | null;
  last_position: number;
}

export const API_KEY_COLUMNS =
  'user_id, id, name, role, pipeline_ids, prefix, created_at, revoked_at, revoked_reason, last_position';
