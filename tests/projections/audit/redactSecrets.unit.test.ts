import { describe, expect, it } from 'vitest';
import { changedFields, fieldDigests } from '../../../src/projections/audit/fieldDigests.js';
import { ENCRYPTED, REDACTED, redactSecrets } from '../../../src/projections/audit/redactSecrets.js';

const secret = (ciphertext: string) => ({
  alg: 'AES-256-GCM',
  keyId: 'k1',
  iv: 'AAAAAAAAAAAAAAAA',
  tag: 'BBBBBBBBBBBBBBBBBBBBBA==',
  ciphertext,
});

describe('redactSecrets', () => {
  it('replaces encrypted secrets, secret-looking keys and every header value, and keeps the rest', () => {
    expect(
      redactSecrets({
        connectorId: 'c-1',
        name: 'Orders DB',
        config: {
          connectionString: secret('c2VjcmV0'),
          url: 'https://api.example.com/orders',
          sasl: { mechanism: 'plain', username: 'svc', password: secret('cGFzcw==') },
          headers: { Authorization: secret('dG9rZW4='), 'X-Tenant': 'acme' },
          signingSecret: 'plain-by-mistake',
          keyColumns: ['id'],
          intervalSeconds: 30,
        },
      }),
    ).toEqual({
      connectorId: 'c-1',
      name: 'Orders DB',
      config: {
        connectionString: REDACTED,
        url: 'https://api.example.com/orders',
        sasl: { mechanism: 'plain', username: 'svc', password: REDACTED },
        headers: { Authorization: REDACTED, 'X-Tenant': REDACTED },
        signingSecret: REDACTED,
        keyColumns: ['id'],
        intervalSeconds: 30,
      },
    });
  });

  it('replaces an encrypted secret under an ordinary key with a marker', () => {
    expect(redactSecrets({ dsn: secret('c2VjcmV0') })).toEqual({ dsn: ENCRYPTED });
  });

  it('redacts password and token hashes, API key prefixes and request bodies by their keys', () => {
    expect(
      redactSecrets({
        userId: 'u-1',
        passwordHash: '$scrypt$ln=15,r=8,p=1$c2FsdA$aGFzaA',
        invitationTokenHash: 'a'.repeat(64),
        keyHash: 'b'.repeat(64),
        prefix: 'trb_12ab',
        keyId: 'key-1',
        body: '{"user":"svc","password":"x"}',
      }),
    ).toEqual({
      userId: 'u-1',
      passwordHash: REDACTED,
      invitationTokenHash: REDACTED,
      keyHash: REDACTED,
      prefix: REDACTED,
      keyId: 'key-1',
      body: REDACTED,
    });
  });

  it('redacts hash-looking values and URL credentials wherever they are', () => {
    expect(
      redactSecrets({
        message: 'could not reach postgres://svc:hunter2@db.internal:5432/orders',
        url: 'https://example.com/feed?page=2&access_token=abc123&api-key=xyz',
        note: '$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA',
        digest: 'c'.repeat(64),
        list: ['$2b$12$abcdefghijklmnopqrstuv', 'plain'],
      }),
    ).toEqual({
      message: `could not reach postgres://svc:${REDACTED}@db.internal:5432/orders`,
      url: `https://example.com/feed?page=2&access_token=${REDACTED}&api-key=${REDACTED}`,
      note: REDACTED,
      digest: REDACTED,
      list: [REDACTED, 'plain'],
    });
  });
});

describe('fieldDigests and changedFields', () => {
  const config = (ciphertext: string, url: string) => ({
    kind: 'http-poll',
    config: { url, headers: { Authorization: secret(ciphertext), 'X-Tenant': 'acme' }, intervalSeconds: 30 },
  });

  it('names the fields whose values changed, a secret by a new encryption, and never holds a value', () => {
    const before = fieldDigests(config('b2xk', 'https://a.example.com'));
    const after = fieldDigests(config('bmV3', 'https://b.example.com'));
    expect(changedFields(before, after)).toEqual(['config.headers.Authorization', 'config.url']);
    expect(JSON.stringify(after)).not.toMatch(/bmV3|b\.example|acme/);
  });

  it('finds nothing changed when a secret was kept (the same ciphertext)', () => {
    expect(
      changedFields(
        fieldDigests(config('b2xk', 'https://a.example.com')),
        fieldDigests(config('b2xk', 'https://a.example.com')),
      ),
    ).toEqual([]);
  });

  it('names fields added and removed, and counts a list as one field', () => {
    expect(
      changedFields(
        fieldDigests({ name: 'r', condition: { metric: 'lag', threshold: 5 }, channelIds: ['a'] }),
        fieldDigests({ name: 'r', condition: { metric: 'noRecords' }, channelIds: ['a', 'b'] }),
      ),
    ).toEqual(['channelIds', 'condition.metric', 'condition.threshold']);
  });
});
