import { describe, expect, it } from 'vitest';
import { resolveKeptSecrets, secretPathsOf } from '../../../src/domain/connectors/connectorSecrets.js';
import type { EncryptedSecret } from '../../../src/domain/encryptedSecret.js';

const stored: EncryptedSecret = {
  alg: 'AES-256-GCM',
  keyId: 'k1',
  iv: 'AAECAwQFBgcICQoL',
  tag: 'AAECAwQFBgcICQoLDA0ODw==',
  ciphertext: 'c2VjcmV0',
};

describe('secretPathsOf', () => {
  it('names the secret fields present in a config, for each kind', () => {
    const sasl = { mechanism: 'plain', username: 'u', password: 'p' };
    expect(secretPathsOf('kafka-topic', { topic: 't', sasl })).toEqual(['sasl.password']);
    expect(secretPathsOf('postgres-query', { connectionString: 'postgres://…' })).toEqual([
      'connectionString',
    ]);
    expect(secretPathsOf('postgres-table', { connectionString: 'postgres://…' })).toEqual([
      'connectionString',
    ]);
    expect(secretPathsOf('webhook-ingest', { signingSecret: 's' })).toEqual(['signingSecret']);
    expect(secretPathsOf('file-upload', { format: 'csv' })).toEqual([]);
  });

  it('names credential headers as they are spelled, leaving other headers out', () => {
    const headers = { authorization: 'Bearer t', Accept: 'application/json', 'X-API-Key': 'k' };
    expect(secretPathsOf('http-poll', { headers })).toEqual(['headers.authorization', 'headers.X-API-Key']);
    expect(secretPathsOf('webhook', { headers: { Cookie: 'c' }, signingSecret: 's' })).toEqual([
      'headers.Cookie',
      'signingSecret',
    ]);
  });

  it('names nothing for absent optional secrets, a config that is not an object, or an unknown kind', () => {
    expect(secretPathsOf('kafka-topic', { topic: 't' })).toEqual([]);
    expect(secretPathsOf('http-poll', 'https://example.com')).toEqual([]);
    expect(secretPathsOf('constructor' as 'webhook', { signingSecret: 's' })).toEqual([]);
  });
});

describe('resolveKeptSecrets', () => {
  it('puts the stored secret where the input says { keep: true }, at any depth it can be', () => {
    const current = { sasl: { password: stored }, headers: { Authorization: stored } };
    const input = {
      topic: 'x',
      sasl: { password: { keep: true } },
      headers: { Authorization: { keep: true } },
    };
    expect(resolveKeptSecrets(input, current)).toEqual({
      topic: 'x',
      sasl: { password: stored },
      headers: { Authorization: stored },
    });
  });

  it('leaves a marker with nothing encrypted to keep, for validation to report', () => {
    expect(resolveKeptSecrets({ password: { keep: true } }, { password: 'plain' })).toEqual({
      password: { keep: true },
    });
    expect(resolveKeptSecrets({ password: { keep: true } }, {})).toEqual({ password: { keep: true } });
  });

  it('does not change the input', () => {
    const input = { password: { keep: true } };
    resolveKeptSecrets(input, { password: stored });
    expect(input).toEqual({ password: { keep: true } });
  });
});
