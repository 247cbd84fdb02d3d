import { createHash } from 'node:crypto';
import { isEncryptedSecret } from '../../domain/encryptedSecret.js';
import { isSecretKey, REDACTED, redactString } from './redactSecrets.js';

/** Field path (`config.sasl.password`, `condition.threshold`) to a short digest of its value. */
export type FieldDigests = Record<string, string>;

const digest = (value: unknown): string =>
  createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 16);

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

// What a leaf is digested as. An encrypted secret counts by its ciphertext: a new secret is a
// new encryption (fresh IV), a kept one the same ciphertext, and ciphertext tells nothing of the
// plain value. Any other value is taken as the audit log would show it, so a plain value under a
// secret-looking key or in `headers` is never digested (the domain only stores those encrypted).
const digestable = (value: unknown, key: string | undefined, hidden: boolean): unknown => {
  if (isEncryptedSecret(value)) return `encrypted:${digest(value.ciphertext)}`;
  if (hidden || (key !== undefined && isSecretKey(key))) return REDACTED;
  if (typeof value === 'string') return redactString(value);
  if (Array.isArray(value)) return value.map((item) => digestable(item, undefined, false));
  if (!isPlainObject(value)) return value;
  return Object.fromEntries(
    Object.entries(value).map(([name, inner]) => [name, digestable(inner, name, key === 'headers')]),
  );
};

/**
 * Digests of the leaves of `value` (an array is one leaf), so that two versions of a subject
 * can be compared for which fields changed without keeping their values.
 */
export const fieldDigests = (value: unknown): FieldDigests => {
  const digests: FieldDigests = {};
  const walk = (node: unknown, path: string) => {
    if (isPlainObject(node) && Object.keys(node).length > 0) {
      for (const [key, inner] of Object.entries(node)) walk(inner, path ? `${path}.${key}` : key);
    } else {
      digests[path] = digest(node);
    }
  };
  walk(digestable(value, undefined, false), '');
  return digests;
};

/** The paths added, removed or changed from `before` to `after`, sorted. */
export const changedFields = (before: FieldDigests, after: FieldDigests): string[] =>
  [...new Set([...Object.keys(before), ...Object.keys(after)])]
    .filter((path) => before[path] !== after[path])
    .sort();
