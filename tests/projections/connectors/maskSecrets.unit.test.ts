import { describe, expect, it } from 'vitest';
import type { EncryptedSecret } from '../../../src/domain/encryptedSecret.js';
import { maskSecrets } from '../../../src/projections/connectors/maskSecrets.js';
import { containsPattern } from '../../../src/projections/keysetPage.js';

const encrypted = (keyId: string): EncryptedSecret => ({
  alg: 'AES-256-GCM',
  keyId,
  iv: 'AAECAwQFBgcICQoL',
  tag: 'AAECAwQFBgcICQoLDA0ODw==',
  ciphertext: 'c2VjcmV0',
});

describe('maskSecrets', () => {
  it('replaces every encrypted value with a mask naming its key', () => {
    expect(
      maskSecrets('http-poll', {
        url: 'https://api.example.com',
        intervalSeconds: 60,
        headers: { Authorization: encrypted('k2'), Accept: 'application/json', 'X-Other': encrypted('k1') },
      }),
    ).toEqual({
      url: 'https://api.example.com',
      intervalSeconds: 60,
      headers: {
        Authorization: { masked: true, keyId: 'k2' },
        Accept: 'application/json',
        'X-Other': { masked: true, keyId: 'k1' },
      },
    });
  });

  it('masks a secret path even when what it holds is not encrypted', () => {
    expect(
      maskSecrets('postgres-query', { connectionString: 'postgres://u:p@h/db', query: 'select 1' }),
    ).toEqual({
      connectionString: { masked: true },
      query: 'select 1',
    });
  });

  it('leaves a config without secrets as it is', () => {
    expect(maskSecrets('file-upload', { format: 'csv', hasHeader: true })).toEqual({
      format: 'csv',
      hasHeader: true,
    });
  });
});

describe('containsPattern', () => {
  it('matches the text anywhere, its own LIKE wildcards taken literally', () => {
    expect(containsPattern('a%b_c\\d')).toBe('%a\\%b\\_c\\\\d%');
  });
});
