import { createHash, randomBytes } from 'node:crypto';

/** SHA-256 of `text` as 64 lower-case hex digits: how tokens and API keys are known once issued. */
export const sha256Hex = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/**
 * A new random token (256 bits, base64url, after `prefix`) and its SHA-256. The token goes to
 * its holder once; only the hash is kept, so whoever reads the store cannot use it. A token
 * this random needs no slow hash: nobody can guess one to test against the hash.
 */
export const newSecretToken = (prefix = ''): { token: string; hash: string } => {
  const token = `${prefix}${randomBytes(32).toString('base64url')}`;
  return { token, hash: sha256Hex(token) };
};
