import { createHash } from 'node:crypto';
import { type JWTVerifyGetKey, errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import { TributaryError } from '../../errors.js';

/** What an access token says: who, in which session. The role is read fresh on each request. */
export interface AccessTokenClaims {
  userId: string;
  sessionId: string;
}

export interface AccessTokens {
  issue(claims: AccessTokenClaims, now: Date): Promise<{ token: string; expiresAt: string }>;
  /** The claims of a token this service signed and that has not expired; else UNAUTHENTICATED. */
  verify(token: string, now: Date): Promise<AccessTokenClaims>;
}

// The one algorithm: a token naming any other (none, HS512, RS256, ...) is refused before its
// signature is even looked at, which closes the classic algorithm-confusion attacks.
const ALGORITHM = 'HS256';
const ISSUER = 'tributary';
const AUDIENCE = 'tributary-api';
const MIN_SECRET_BYTES = 32;
const CLOCK_TOLERANCE_SECONDS = 5;
// Tokens verified recently, so a client's next request skips the HMAC and the key import
// (jose's, a fifth of a request's CPU): at most this many, the least recently used dropped.
const VERIFIED_CACHE_SIZE = 10_000;

/**
 * Short-lived JWT access tokens (HS256, via `jose`). Every API instance shares the secret, so
 * any of them verifies what another signed. Expiry is checked against the clock given, with no
 * leeway beyond a few seconds of drift between instances.
 */
export const createAccessTokens = (options: {
  secret: Uint8Array;
  /**
   * Keys that signed tokens before `secret` did, still accepted so that rotating the key does not
   * sign everyone out: drop them once the last token they signed has expired.
   */
  previousSecrets?: readonly Uint8Array[];
  ttlSeconds: number;
}): AccessTokens => {
  const all = [options.secret, ...(options.previousSecrets ?? [])];
  if (all.some((key) => key.length < MIN_SECRET_BYTES))
    throw new Error(`The access token secret must be at least ${MIN_SECRET_BYTES} bytes`);
  const secret = Uint8Array.from(options.secret);
  const keyId = keyIdOf(secret);
  // Tokens name their key (`kid`), so a verify tries one key, never each in turn. A token
  // without one predates key ids and was signed by the current key.
  const keys = new Map(all.map((key) => [keyIdOf(key), Uint8Array.from(key)] as const));
  const keyOf: JWTVerifyGetKey = (header) => {
    const key = header.kid === undefined ? secret : keys.get(header.kid);
    if (key === undefined) throw new Error('unknown key id');
    return key;
  };
  // Keyed by the whole token string, so only the exact bytes that verified hit. An entry holds
  // until the token's expiry (with the same tolerance jose applies), never longer; the session
  // and the user behind it are still checked on every request by the caller.
  const verified = new Map<string, { claims: AccessTokenClaims; exp: number }>();
  const isUnexpired = (exp: number, now: Date) =>
    exp > Math.floor(now.getTime() / 1000) - CLOCK_TOLERANCE_SECONDS;
  return {
    async issue({ userId, sessionId }, now) {
      const issuedAt = Math.floor(now.getTime() / 1000);
      const expiresAt = issuedAt + options.ttlSeconds;
      const token = await new SignJWT({ sid: sessionId })
        .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT', kid: keyId })
        .setSubject(userId)
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setIssuedAt(issuedAt)
        .setExpirationTime(expiresAt)
        .sign(secret);
      return { token, expiresAt: new Date(expiresAt * 1000).toISOString() };
    },
    async verify(token, now) {
      const hit = verified.get(token);
      if (hit !== undefined && isUnexpired(hit.exp, now)) {
        verified.delete(token);
        verified.set(token, hit);
        return hit.claims;
      }
      try {
        const { payload } = await jwtVerify(token, keyOf, {
          algorithms: [ALGORITHM],
          issuer: ISSUER,
          audience: AUDIENCE,
          currentDate: now,
          clockTolerance: CLOCK_TOLERANCE_SECONDS,
          requiredClaims: ['sub', 'exp', 'sid'],
        });
        if (typeof payload.sub !== 'string' || typeof payload.sid !== 'string') throw new Error('bad claims');
        const claims: AccessTokenClaims = Object.freeze({ userId: payload.sub, sessionId: payload.sid });
        if (typeof payload.exp === 'number') {
          if (verified.size >= VERIFIED_CACHE_SIZE) verified.delete(verified.keys().next().value as string);
          verified.set(token, { claims, exp: payload.exp });
        }
        return claims;
      } catch (cause) {
        // One answer for every failure, so a caller learns nothing about why.
        const expired = cause instanceof joseErrors.JWTExpired;
        throw new TributaryError('UNAUTHENTICATED', {
          message: expired ? 'The access token has expired; refresh the session' : undefined,
          cause,
        });
      }
    },
  };
};

/** A key's public name: the start of its SHA-256, which says nothing usable about the key. */
const keyIdOf = (key: Uint8Array) => createHash('sha256').update(key).digest('hex').slice(0, 16);
