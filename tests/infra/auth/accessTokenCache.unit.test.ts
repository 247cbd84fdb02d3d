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
