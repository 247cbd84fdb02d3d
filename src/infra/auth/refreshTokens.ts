import { newSecretToken } from '../crypto/secretToken.js';

/**
 * A refresh token names its session (the family it belongs to) before a random part:
 * `<familyId>.<random>`, so a refresh finds its stream without a lookup. Only its SHA-256 is kept.
 */
export const newRefreshToken = (familyId: string) => newSecretToken(`${familyId}.`);

/** The session a refresh token claims to belong to; null when it has not the shape of one. */
export const familyIdOf = (refreshToken: string): string | null => {
  const dot = refreshToken.lastIndexOf('.');
  const familyId = refreshToken.slice(0, dot);
  return dot > 0 && /^[A-Za-z0-9-]{1,64}$/.test(familyId) ? familyId : null;
};
