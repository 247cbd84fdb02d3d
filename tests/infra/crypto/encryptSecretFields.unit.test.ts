import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { secretPathsOf } from '../../../src/domain/connectors/connectorSecrets.js';
import { type EncryptedSecret, isEncryptedSecret } from '../../../src/domain/encryptedSecret.js';
import { encryptSecretFields } from '../../../src/infra/crypto/encryptSecretFields.js';
import { createSecretCipher } from '../../../src/infra/crypto/secretCipher.js';

const cipher = createSecretCipher({ keys: { k1: randomBytes(32) }, activeKeyId: 'k1' });

describe('encryptSecretFields', () => {
  it('encrypts the plain strings at the secret paths and leaves every other field as it was', () => {
    const config = {
      url: 'https://api.example.com',
      intervalSeconds: 60,
      headers: { Authorization: 'Bearer t0ken', Accept: 'application/json' },
    };
    const encrypted = encryptSecretFields(config, secretPathsOf('http-poll', config), cipher);
    const headers = encrypted.headers as Record<string, unknown>;
    expect(isEncryptedSecret(headers.Authorization)).toBe(true);
    expect(cipher.decrypt(headers.Authorization as EncryptedSecret)).toBe('Bearer t0ken');
    expect(headers.Accept).toBe('application/json');
    expect(encrypted.url).toBe('https://api.example.com');
    expect(JSON.stringify(encrypted)).not.toContain('t0ken');
  });

  it('does not change its input', () => {
    const config = {
      topic: 't',
      format: 'json',
      sasl: { mechanism: 'plain', username: 'u', password: 'pw' },
    };
    encryptSecretFields(config, ['sasl.password'], cipher);
    expect(config.sasl.password).toBe('pw');
  });

  it('leaves absent paths, encrypted values and keep markers alone', () => {
    const already = cipher.encrypt('x');
    const config = { connectionString: already, signingSecret: { keep: true } };
    expect(
      encryptSecretFields(config, ['connectionString', 'signingSecret', 'sasl.password'], cipher),
    ).toEqual(config);
  });
});
