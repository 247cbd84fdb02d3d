import { createHash } from 'node:crypto';

// A fixed namespace so ids derived here never collide with another system's name-based UUIDs.
const NAMESPACE = Buffer.from('6f1c2a0e9b7d4c35a1e84f2b0d9c7e61', 'hex');

/**
 * A name-based UUID (version 5, RFC 9562): the same name always gives the same id. Commands
 * that carry an id derive their event ids (and new aggregate ids) from it, so a command sent
 * twice produces the same ids and can be recognised instead of applied twice.
 */
export const deterministicId = (name: string): string => {
  const hash = createHash('sha1').update(NAMESPACE).update(name).digest();
  hash[6] = ((hash[6] ?? 0) & 0x0f) | 0x50;
  hash[8] = ((hash[8] ?? 0) & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
};
