import { describe, expect, it } from 'vitest';
import {
  isTotpCodeValid,
  newTotpSecret,
  totpCode,
  totpStepOf,
  totpUri,
} from '../../../src/infra/crypto/totp.js';

// RFC 6238 appendix B, SHA-1: the secret "12345678901234567890", in base32; codes cut to 6 digits.
const RFC_SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
const at = (seconds: number) => new Date(seconds * 1000);

describe('TOTP', () => {
  it('gives the codes of the RFC 6238 test vectors', () => {
    expect(totpCode(RFC_SECRET, at(59))).toBe('287082');
    expect(totpCode(RFC_SECRET, at(1111111109))).toBe('081804');
    expect(totpCode(RFC_SECRET, at(1234567890))).toBe('005924');
    expect(totpCode(RFC_SECRET, at(2000000000))).toBe('279037');
  });

  it('accepts the code of the step before, the step and the step after, and nothing further', () => {
    const now = at(1234567890);
    expect(isTotpCodeValid(RFC_SECRET, totpCode(RFC_SECRET, at(1234567890 - 30)), now)).toBe(true);
    expect(isTotpCodeValid(RFC_SECRET, totpCode(RFC_SECRET, now), now)).toBe(true);
    expect(isTotpCodeValid(RFC_SECRET, totpCode(RFC_SECRET, at(1234567890 + 30)), now)).toBe(true);
    expect(isTotpCodeValid(RFC_SECRET, totpCode(RFC_SECRET, at(1234567890 + 90)), now)).toBe(false);
    expect(isTotpCodeValid(RFC_SECRET, 'abcdef', now)).toBe(false);
  });

  it('makes 160-bit base32 secrets, different each time, that an authenticator app reads from a URI', () => {
    const secret = newTotpSecret();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(newTotpSecret()).not.toBe(secret);
    expect(totpUri(secret, 'ada@example.com')).toBe(
      `otpauth://totp/Tributary:ada%40example.com?secret=${secret}&issuer=Tributary&algorithm=SHA1&digits=6&period=30`,
    );
  });

  it('says which step a code is of, within the window, so a used one can be refused later', () => {
    const secret = newTotpSecret();
    const at = new Date('2026-03-01T09:00:10.000Z');
    const step = Math.floor(at.getTime() / 30_000);
    expect(totpStepOf(secret, totpCode(secret, at), at)).toBe(step);
    expect(totpStepOf(secret, totpCode(secret, new Date(at.getTime() - 30_000)), at)).toBe(step - 1);
    expect(totpStepOf(secret, totpCode(secret, new Date(at.getTime() + 30_000)), at)).toBe(step + 1);
    expect(totpStepOf(secret, totpCode(secret, new Date(at.getTime() + 90_000)), at)).toBeNull();
    expect(totpStepOf(secret, 'abcdef', at)).toBeNull();
  });
});
