import type { Role } from '../../domain/users/roles.js';
import type { UserStatus } from '../../domain/users/userState.js';
import { normaliseEmail } from '../../domain/users/userValidation.js';
import { ValidationError } from '../../errors.js';
import { deterministicId } from '../../infra/eventstore/deterministicId.js';
import type { SortDirection } from '../../projections/keysetPage.js';
import type { UserSortField } from '../../projections/users/userQueries.js';

/** How long an invitation token is accepted. */
export const INVITATION_TTL_HOURS = 7 * 24;
/** How long an e-mail verification token is accepted. */
export const EMAIL_VERIFICATION_TTL_HOURS = 24;
/** API keys start with this, so a leaked one is easy to recognise (secret scanners, logs). */
export const API_KEY_PREFIX = 'trb_';
/** How many leading characters of a key its listing shows: the prefix and 8 random ones. */
export const API_KEY_SHOWN_CHARACTERS = 12;

const MIN_PASSWORD_LENGTH = 10;
// scrypt takes any length, but hashing megabytes on request would be a cheap denial of service.
const MAX_PASSWORD_LENGTH = 256;

export interface UsersArgs {
  first?: number | null;
  after?: string | null;
  filter?: { role?: Role | null; status?: UserStatus | null; search?: string | null } | null;
  orderBy?: { field?: 'CREATED_AT' | 'EMAIL' | null; direction?: 'ASC' | 'DESC' | null } | null;
}

export interface IssueApiKeyInput {
  userId: string;
  name: string;
  role: Role;
  pipelineIds?: string[] | null;
}

/**
 * A user's id follows from their e-mail address, so the address is unique without a lookup:
 * inviting it again reaches the same stream (the domain re-sends a pending invitation, or
 * refuses with USER_ALREADY_EXISTS), and a login by address can find the user directly.
 */
export const userIdForEmail = (email: string): string => deterministicId(`user:${normaliseEmail(email)}`);

/**
 * The one rule on passwords the domain cannot check, since it only ever sees their hash.
 * Length only, as NIST SP 800-63B advises: composition rules make passwords weaker, not stronger.
 */
export const assertPasswordAccepted = (password: string, path = 'password'): void => {
  const length = [...password].length;
  if (length < MIN_PASSWORD_LENGTH || length > MAX_PASSWORD_LENGTH) {
    throw new ValidationError([
      { path, message: `must be ${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH} characters` },
    ]);
  }
};

export const hoursAfter = (time: Date, hours: number): string =>
  new Date(time.getTime() + hours * 3_600_000).toISOString();

export const userOrder = (orderBy: UsersArgs['orderBy']) => {
  const field: UserSortField = orderBy?.field === 'EMAIL' ? 'email' : 'createdAt';
  const direction: SortDirection = orderBy?.direction === 'DESC' ? 'desc' : 'asc';
  return { field, direction, ordering: `users:${field}:${direction}` };
};
