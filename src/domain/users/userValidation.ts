import type { FieldProblem } from '../../errors.js';
import { isKeyRoleAllowed, isRole, ROLES, type Role } from './roles.js';
import type { UserCommand } from './userCommand.js';

type IssueApiKey = Extract<UserCommand, { type: 'IssueApiKey' }>['data'];

const EMAIL_LOCAL = /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const EMAIL_DOMAIN = /^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$/;
// A PHC string (`$scrypt$ln=15,r=8,p=1$salt$hash`, `$argon2id$…`) or bcrypt's `$2b$…`: the shape
// of a hash, so a plain password passed by mistake is refused rather than stored.
const PASSWORD_HASH = /^\$[a-z0-9-]{1,32}(\$[A-Za-z0-9+/=.,-]+)+$/;
const SHA256_HEX = /^[0-9a-f]{64}$/;
const KEY_PREFIX = /^[A-Za-z0-9_-]{4,16}$/;
const MAX_KEY_NAME_LENGTH = 100;
const MAX_PIPELINES_PER_KEY = 100;

/** E-mail addresses are compared and stored trimmed and in lower case. */
export const normaliseEmail = (email: string): string => email.trim().toLowerCase();

export const emailProblems = (email: string, path = 'email'): FieldProblem[] => {
  const at = email.lastIndexOf('@');
  const local = email.slice(0, at);
  const domain = email.slice(at + 1);
  const valid =
    at > 0 &&
    email.length <= 254 &&
    local.length <= 64 &&
    EMAIL_LOCAL.test(local) &&
    domain.length <= 253 &&
    EMAIL_DOMAIN.test(domain);
  return valid ? [] : [{ path, message: 'must be an e-mail address like name@example.com' }];
};

export const roleProblems = (role: unknown, path = 'role'): FieldProblem[] =>
  isRole(role) ? [] : [{ path, message: `must be one of: ${ROLES.join(', ')}` }];

export const passwordHashProblems = (hash: unknown, path = 'passwordHash'): FieldProblem[] =>
  typeof hash === 'string' && hash.length <= 1024 && PASSWORD_HASH.test(hash)
    ? []
    : [{ path, message: 'must be a password hash such as "$scrypt$…", never the password itself' }];

export const tokenHashProblems = (hash: unknown, path: string): FieldProblem[] =>
  typeof hash === 'string' && SHA256_HEX.test(hash)
    ? []
    : [{ path, message: 'must be the SHA-256 of the token, as 64 lower-case hex digits' }];

export const expiryProblems = (
  expiresAt: string,
  issuedAt: string,
  paths: { expiresAt: string; issuedAt: string },
): FieldProblem[] =>
  Date.parse(expiresAt) > Date.parse(issuedAt)
    ? []
    : [{ path: paths.expiresAt, message: `must be a time after ${paths.issuedAt}` }];

/** Every problem of a key about to be issued to an owner with `ownerRole`. */
export const apiKeyProblems = (key: IssueApiKey, ownerRole: Role): FieldProblem[] => {
  const problems: FieldProblem[] = [];
  const name = typeof key.name === 'string' ? key.name.trim() : '';
  if (name.length === 0 || name.length > MAX_KEY_NAME_LENGTH) {
    problems.push({ path: 'name', message: `must be 1 to ${MAX_KEY_NAME_LENGTH} characters` });
  }
  problems.push(...roleProblems(key.role));
  if (isRole(key.role) && !isKeyRoleAllowed(ownerRole, key.role)) {
    problems.push({
      path: 'role',
      message: `must be the owner's role (${ownerRole}) or viewer; only an admin's key may hold another role`,
    });
  }
  if (key.pipelineIds !== undefined) problems.push(...pipelineScopeProblems(key.pipelineIds));
  problems.push(...tokenHashProblems(key.keyHash, 'keyHash'));
  if (typeof key.prefix !== 'string' || !KEY_PREFIX.test(key.prefix)) {
    problems.push({
      path: 'prefix',
      message: 'must be the first 4 to 16 characters of the key: letters, digits, "_" or "-"',
    });
  }
  return problems;
};

const pipelineScopeProblems = (pipelineIds: unknown): FieldProblem[] => {
  if (!Array.isArray(pipelineIds) || pipelineIds.length === 0 || pipelineIds.length > MAX_PIPELINES_PER_KEY) {
    return [
      {
        path: 'pipelineIds',
        message: `must list 1 to ${MAX_PIPELINES_PER_KEY} pipeline ids; leave it out for every pipeline`,
      },
    ];
  }
  const seen = new Set<string>();
  const problems: FieldProblem[] = [];
  pipelineIds.forEach((id: unknown, index) => {
    const path = `pipelineIds[${index}]`;
    if (typeof id !== 'string' || id.trim().length === 0) {
      problems.push({ path, message: 'must be a pipeline id' });
    } else if (seen.has(id)) {
      problems.push({ path, message: `repeats "${id}"` });
    } else {
      seen.add(id);
    }
  });
  return problems;
};
