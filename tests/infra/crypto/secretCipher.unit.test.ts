import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isEncryptedSecret } from '../../../src/domain/encryptedSecret.js';
import { createSecretCipher, SecretCipherError } from '../../../src/infra/crypto/secretCipher.js';

const key1 = randomBytes(32);
const key2 = randomBytes(32);
const plain = 'postgres://app:s3cr3t-p4ss@db.internal:5432/sales';

/** Flips one bit of a base64 field. */
const flipBit = (base64: string): string => {
  const bytes = Buffer.from(base64, 'base64');
  bytes[0] = (bytes[0] ?? 0) ^ 1;
  return bytes.toString('base64');
};

const expectCipherError = (action: () => unknown, message: RegExp) => {
  let thrown: unknown;
  try {
    action();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(SecretCipherError);
  expect((thrown as Error).message).toMatch(message);
  expect((thrown as Error).message).not.toContain('s3cr3t');
};

describe('secret cipher', () => {
  const cipher = createSecretCipher({ keys: { k1: key1 }, activeKeyId: 'k1' });

  it('decrypts what it encrypted, including an empty string and non-ASCII text', () => {
    for (const text of [plain, '', 'pässwörd 🔑']) {
      expect(cipher.decrypt(cipher.encrypt(text))).toBe(text);
    }
  });

  it('produces an AES-256-GCM value the domain accepts, naming the key, without the plaintext', () => {
    const secret = cipher.encrypt(plain);
    expect(secret.alg).toBe('AES-256-GCM');
    expect(secret.keyId).toBe('k1');
    expect(Buffer.from(secret.iv, 'base64')).toHaveLength(12);
    expect(Buffer.from(secret.tag, 'base64')).toHaveLength(16);
    expect(isEncryptedSecret(secret)).toBe(true);
    expect(JSON.stringify(secret)).not.toContain('s3cr3t');
  });

  it('gives two encryptions of one plaintext different IVs and ciphertexts', () => {
    const first = cipher.encrypt(plain);
    const second = cipher.encrypt(plain);
    expect(first.iv).not.toBe(second.iv);
    expect(first.ciphertext).not.toBe(second.ciphertext);
  });

  it('refuses a value whose ciphertext, tag or IV was altered', () => {
    const secret = cipher.encrypt(plain);
    for (const tampered of [
      { ...secret, ciphertext: flipBit(secret.ciphertext) },
      { ...secret, tag: flipBit(secret.tag) },
      { ...secret, iv: flipBit(secret.iv) },
    ]) {
      expectCipherError(() => cipher.decrypt(tampered), /key "k1": it was altered/);
    }
  });

  it('refuses a value naming a key it does not have, saying which', () => {
    const secret = cipher.encrypt(plain);
    expectCipherError(
      () => cipher.decrypt({ ...secret, keyId: 'k9' }),
      /key "k9": no such key is configured \(configured: k1\)/,
    );
  });

  it('refuses a value encrypted with other key material under the same id', () => {
    const impostor = createSecretCipher({ keys: { k1: key2 }, activeKeyId: 'k1' });
    expectCipherError(
      () => cipher.decrypt(impostor.encrypt(plain)),
      /it was altered, or encrypted with other key/,
    );
  });

  it('refuses a malformed value or another algorithm', () => {
    const secret = cipher.encrypt(plain);
    expectCipherError(() => cipher.decrypt({ ...secret, iv: 'AAAA' }), /malformed/);
    expectCipherError(
      () => cipher.decrypt({ ...secret, alg: 'AES-128-CBC' as 'AES-256-GCM' }),
      /not AES-256-GCM/,
    );
  });

  it('encrypts with the active key and decrypts with any configured one, so keys can rotate', () => {
    const before = cipher.encrypt(plain);
    const rotated = createSecretCipher({ keys: { k1: key1, k2: key2 }, activeKeyId: 'k2' });
    const after = rotated.encrypt(plain);
    expect(after.keyId).toBe('k2');
    expect(rotated.decrypt(before)).toBe(plain);
    expect(rotated.decrypt(after)).toBe(plain);
    expectCipherError(() => cipher.decrypt(after), /key "k2": no such key/);
  });

  it('keeps its own copy of the keys', () => {
    const key = Buffer.from(key1);
    const own = createSecretCipher({ keys: { k1: key }, activeKeyId: 'k1' });
    const secret = own.encrypt(plain);
    key.fill(0);
    expect(own.decrypt(secret)).toBe(plain);
  });

  it('refuses keys that are not 32 bytes, bad key ids, and an active key that is not configured', () => {
    expectCipherError(
      () => createSecretCipher({ keys: { k1: randomBytes(16) }, activeKeyId: 'k1' }),
      /"k1" must be 32 bytes, not 16/,
    );
    expectCipherError(
      () => createSecretCipher({ keys: { 'k 1': key1 }, activeKeyId: 'k 1' }),
      /key id "k 1"/,
    );
    expectCipherError(
      () => createSecretCipher({ keys: { k1: key1 }, activeKeyId: 'k2' }),
      /"k2" is not among the configured keys \(k1\)/,
    );
    expectCipherError(() => createSecretCipher({ keys: {}, activeKeyId: 'k1' }), /\(none\)/);
  });
});
