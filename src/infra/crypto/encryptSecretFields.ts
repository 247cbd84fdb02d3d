import type { SecretCipher } from './secretCipher.js';

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const encryptAt = (
  node: unknown,
  keys: readonly string[],
  cipher: Pick<SecretCipher, 'encrypt'>,
): unknown => {
  const [key, ...rest] = keys;
  if (key === undefined) return typeof node === 'string' ? cipher.encrypt(node) : node;
  if (!isRecord(node) || !Object.hasOwn(node, key)) return node;
  return { ...node, [key]: encryptAt(node[key], rest, cipher) };
};

/**
 * A copy of `config` with the plain string at each of `secretPaths` (dotted, relative to the
 * config: `sasl.password`, `headers.Authorization`) encrypted; the input is not changed. A path
 * that is absent, or holds anything but a string (already encrypted, `{ keep: true }`), is
 * left alone. Resolvers call it with the domain's `secretPathsOf(kind, config)` before building
 * a connector command, so no plain secret reaches a command, an event or a log.
 */
export const encryptSecretFields = (
  config: Record<string, unknown>,
  secretPaths: readonly string[],
  cipher: Pick<SecretCipher, 'encrypt'>,
): Record<string, unknown> =>
  secretPaths.reduce<Record<string, unknown>>(
    (encrypted, path) => encryptAt(encrypted, path.split('.'), cipher) as Record<string, unknown>,
    config,
  );
