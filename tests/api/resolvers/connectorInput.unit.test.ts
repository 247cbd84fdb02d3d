import { describe, expect, it } from 'vitest';
import {
  encryptConnectorSecrets,
  toDomainKind,
  toGraphQLKind,
} from '../../../src/api/resolvers/connectorInput.js';
import { SINK_KINDS, SOURCE_KINDS } from '../../../src/domain/connectors/connectorConfig.js';
import { connectorConfigProblems } from '../../../src/domain/connectors/connectorConfigValidation.js';
import { TributaryError } from '../../../src/errors.js';
import { createSecretCipher } from '../../../src/infra/crypto/secretCipher.js';

const cipher = createSecretCipher({ keys: { k1: Buffer.alloc(32, 7) }, activeKeyId: 'k1' });

const errorOf = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(TributaryError);
    const { code, category, problems } = error as TributaryError;
    return { code, category, problems };
  }
  throw new Error('expected a refusal');
};

describe('connector input', () => {
  it('maps every kind to a GraphQL enum value and back', () => {
    for (const kind of [...SOURCE_KINDS, ...SINK_KINDS]) {
      expect(toGraphQLKind(kind)).toMatch(/^[a-z_]+$/);
      expect(toDomainKind(toGraphQLKind(kind))).toBe(kind);
    }
  });

  it('encrypts each secret field given as text, leaving the rest and the input alone', () => {
    const input = {
      url: 'https://hooks.example.com/in',
      headers: { Authorization: 'Bearer s3cret', 'X-Tenant': 'acme' },
      signingSecret: 'whsec',
    };
    const config = encryptConnectorSecrets('webhook', input, cipher) as typeof input &
      Record<string, unknown>;
    expect(connectorConfigProblems('webhook', config)).toEqual([]);
    expect(config.url).toBe(input.url);
    expect(config.headers['X-Tenant']).toBe('acme');
    expect(cipher.decrypt(config.headers.Authorization as never)).toBe('Bearer s3cret');
    expect(cipher.decrypt(config.signingSecret as never)).toBe('whsec');
    expect(input.signingSecret).toBe('whsec');
  });

  it('lets { keep: true } through for the domain to resolve', () => {
    const config = { connectionString: { keep: true }, table: 'orders', keyColumns: ['id'] };
    expect(encryptConnectorSecrets('postgres-table', config, null)).toBe(config);
  });

  it('refuses a secret field holding anything but text or a keep marker, by its path', () => {
    const planted = { alg: 'AES-256-GCM', keyId: 'k1', iv: 'x', tag: 'y', ciphertext: 'z' };
    expect(
      errorOf(() =>
        encryptConnectorSecrets(
          'kafka-topic',
          { topic: 't', format: 'json', sasl: { password: planted } },
          cipher,
        ),
      ),
    ).toEqual({
      code: 'VALIDATION_FAILED',
      category: 'VALIDATION',
      problems: [
        {
          path: 'config.sasl.password',
          message: 'is a secret: give it as text, or as { "keep": true } to keep the stored one',
        },
      ],
    });
  });

  it('refuses secrets to encrypt with SECRETS_NOT_CONFIGURED when there is no cipher, naming each field', () => {
    const config = { url: 'https://x.example.com', headers: { 'x-api-key': 'k' }, signingSecret: 's' };
    expect(errorOf(() => encryptConnectorSecrets('webhook', config, null))).toEqual({
      code: 'SECRETS_NOT_CONFIGURED',
      category: 'VALIDATION',
      problems: [
        {
          path: 'config.headers.x-api-key',
          message: 'is a secret, and no key is configured to encrypt it (SECRETS_KEYS)',
        },
        {
          path: 'config.signingSecret',
          message: 'is a secret, and no key is configured to encrypt it (SECRETS_KEYS)',
        },
      ],
    });
  });

  it('needs no cipher for a config without secrets, or one that is not even an object', () => {
    expect(encryptConnectorSecrets('file-upload', { format: 'csv' }, null)).toEqual({ format: 'csv' });
    expect(encryptConnectorSecrets('webhook', 'nonsense', null)).toBe('nonsense');
  });
});
