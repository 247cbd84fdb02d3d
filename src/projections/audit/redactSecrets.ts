import { isEncryptedSecret } from '../../domain/encryptedSecret.js';

export const REDACTED = '[redacted]';
export const ENCRYPTED = '[encrypted]';

// Compared with the key lowercased and stripped of `-` and `_`, so `passwordHash`,
// `x-api-key` and `signing_secret` all match.
const SECRET_KEY_PARTS = [
  'password',
  'passwd',
  'secret',
  'token',
  'hash',
  'credential',
  'authorization',
  'cookie',
  'signature',
  'apikey',
  'privatekey',
  'connectionstring',
  'ciphertext',
];
// Whole keys: the visible prefix of an API key is part of the key, a request body may carry
// credentials, and `iv`/`tag` belong to ciphertext.
const SECRET_KEYS = new Set(['key', 'prefix', 'body', 'iv', 'tag']);

// A PHC password hash (`$scrypt$…`, `$argon2id$…`, `$2b$…`) or a bare SHA-256 digest of a token.
const SECRET_VALUE = /^\$[a-z0-9-]+\$|^[0-9a-f]{64}$/i;
const URL_CREDENTIALS = /(\b[a-z][a-z0-9+.-]*:\/\/[^\s/:@]*):[^\s/@]*@/gi;
const URL_QUERY_PARAM = /([?&])([^=&#\s]+)=([^&#\s]*)/g;

export const isSecretKey = (key: string): boolean => {
  const normalized = key.toLowerCase().replace(/[-_]/g, '');
  return SECRET_KEYS.has(normalized) || SECRET_KEY_PARTS.some((part) => normalized.includes(part));
};

/** A string with the password of any `scheme://user:password@` and secret-looking query parameters masked. */
export const redactString = (value: string): string =>
  SECRET_VALUE.test(value)
    ? REDACTED
    : value
        .replace(URL_CREDENTIALS, `$1:${REDACTED}@`)
        .replace(URL_QUERY_PARAM, (match, separator: string, name: string) =>
          isSecretKey(name) ? `${separator}${name}=${REDACTED}` : match,
        );

/**
 * A copy of event data that is safe to show anyone allowed to read the audit log:
 * - an encrypted secret becomes `[encrypted]` (its ciphertext is no one's business either);
 * - the value of a secret-looking key (`passwordHash`, `tokenHash`, `signingSecret`,
 *   `connectionString`, `Authorization`, `prefix`, ...) becomes `[redacted]`, whatever it holds;
 * - every value of a `headers` object becomes `[redacted]`, its names stay;
 * - strings lose URL passwords and secret-looking query parameters, and a string that looks like
 *   a password hash or a SHA-256 digest becomes `[redacted]`.
 * Keys are kept, so a reader still sees which fields an event carried.
 */
export const redactSecrets = (value: unknown, key?: string): unknown => {
  if (key !== undefined && isSecretKey(key)) return REDACTED;
  if (isEncryptedSecret(value)) return ENCRYPTED;
  if (typeof value === 'string') return redactString(value);
  if (Array.isArray(value)) return value.map((item) => redactSecrets(item));
  if (typeof value !== 'object' || value === null) return value;
  const entries = Object.entries(value);
  if (key?.toLowerCase() === 'headers') return Object.fromEntries(entries.map(([name]) => [name, REDACTED]));
  return Object.fromEntries(entries.map(([name, inner]) => [name, redactSecrets(inner, name)]));
};
