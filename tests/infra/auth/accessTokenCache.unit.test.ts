import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createAccessTokens } from '../../../src/infra/auth/accessTokens.js';

// The tokens' own few seconds of tolerance for clock drift between API instances.
const TOLERANCE_MS = 5_000;
const TTL_SECONDS = 60;
const issuedAt = new Date('2026-11-25T10:00:00.000Z');
const at = (msAfterIssue: number) => new Date(issuedAt.getTime() + msAfterIssue);
const codeOf = (work: Promise<unknown>) =>
  work.then(
    () => 'accepted',
    (error: { code?: string }) => error.code,
  );

describe('the verified access token cache', () => {
  it('given a token verified once, when it is presented again, then it holds until its expiry plus the tolerance and not a moment longer', async () => {
    const tokens = createAccessTokens({ secret: randomBytes(32), ttlSeconds: TTL_SECONDS });
    const { token } = await tokens.issue({ userId: 'u1', sessionId: 's1' }, issuedAt);
    expect(await tokens.verify(token, at(0))).toEqual({ userId: 'u1', sessionId: 's1' });

    const expiry = TTL_SECONDS * 1_000;
    expect(await codeOf(tokens.verify(token, at(expiry + TOLERANCE_MS - 1_000)))).toBe('accepted');
    expect(await codeOf(tokens.verify(token, at(expiry + TOLERANCE_MS)))).toBe('UNAUTHENTICATED');
    // Refused once expired, the token stays refused even for a clock that goes back within its life.
    expect(await codeOf(tokens.verify(token, at(expiry + TOLERANCE_MS + 60_000)))).toBe('UNAUTHENTICATED');
  });

  it('given a cached token, when a character of its signature changes, then the changed token is verified afresh and refused', async () => {
    const tokens = createAccessTokens({ secret: randomBytes(32), ttlSeconds: TTL_SECONDS });
    const { token } = await tokens.issue({ userId: 'u1', sessionId: 's1' }, issuedAt);
    await tokens.verify(token, at(0));
    // A character inside the signature: the last one also carries base64 padding bits.
    const index = token.length - 10;
    const changed = `${token.slice(0, index)}${token[index] === 'A' ? 'B' : 'A'}${token.slice(index + 1)}`;
    expect(await codeOf(tokens.verify(changed, at(0)))).toBe('UNAUTHENTICATED');
  });

  it('given a token cached by one key, when another service with another key sees it, then it is refused there', async () => {
    const signer = createAccessTokens({ secret: randomBytes(32), ttlSeconds: TTL_SECONDS });
    const other = createAccessTokens({ secret: randomBytes(32), ttlSeconds: TTL_SECONDS });
    const { token } = await signer.issue({ userId: 'u1', sessionId: 's1' }, issuedAt);
    await signer.verify(token, at(0));
    expect(await codeOf(other.verify(token, at(0)))).toBe('UNAUTHENTICATED');
  });
});

describe('access token key rotation', () => {
  it('given tokens signed by the old key, when the key rotates with the old one kept as previous, then both keys’ tokens verify and new ones are signed by the new key', async () => {
    const oldKey = randomBytes(32);
    const newKey = randomBytes(32);
    const before = createAccessTokens({ secret: oldKey, ttlSeconds: TTL_SECONDS });
    const { token: oldToken } = await before.issue({ userId: 'u1', sessionId: 's1' }, issuedAt);

    const rotated = createAccessTokens({
      secret: newKey,
      previousSecrets: [oldKey],
      ttlSeconds: TTL_SECONDS,
    });
    const { token: newToken } = await rotated.issue({ userId: 'u2', sessionId: 's2' }, issuedAt);
    expect(await rotated.verify(oldToken, at(0))).toEqual({ userId: 'u1', sessionId: 's1' });
    expect(await rotated.verify(newToken, at(0))).toEqual({ userId: 'u2', sessionId: 's2' });
    // The old key alone does not know the new key's tokens: they are signed by the new key.
    expect(await codeOf(before.verify(newToken, at(0)))).toBe('UNAUTHENTICATED');

    // Once the previous key is dropped, its tokens are refused.
    const after = createAccessTokens({ secret: newKey, ttlSeconds: TTL_SECONDS });
    expect(await codeOf(after.verify(oldToken, at(0)))).toBe('UNAUTHENTICATED');
  });
});
