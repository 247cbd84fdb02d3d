import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../../../src/infra/crypto/secretToken.js';
import { API_VERSION, type AuthApi, codeOf, startAuthApi } from './authApi.js';

let t: AuthApi;
let ownerId: string;
const KEY = 'trb_a-machine-key-for-the-ingest-of-orders';
const SCOPED_KEY = 'trb_a-key-for-two-pipelines-only-please';

beforeAll(async () => {
  t = await startAuthApi('api_auth_api_keys');
  ownerId = await t.createAdmin('owner@example.com');
  const issue = (keyId: string, key: string, role: 'executor' | 'viewer', pipelineIds?: string[]) =>
    t.userCommand({
      type: 'IssueApiKey',
      data: {
        userId: ownerId,
        keyId,
        name: keyId,
        role,
        ...(pipelineIds && { pipelineIds }),
        keyHash: sha256Hex(key),
        prefix: key.slice(0, 12),
        issuedAt: t.clock.now.toISOString(),
      },
    });
  await issue('k-1', KEY, 'executor');
  await issue('k-2', SCOPED_KEY, 'viewer', ['orders', 'refunds']);
});
afterAll(() => t?.stop());

describe('API keys', () => {
  it('authenticates a key as its role, acting as the key, by either header', async () => {
    const expected = {
      principal: { kind: 'apiKey', userId: ownerId, role: 'executor', pipelineIds: null },
      actor: 'apikey:k-1',
    };
    expect(await t.authentication.authenticate({ authorization: `ApiKey ${KEY}` })).toEqual(expected);
    expect(await t.authentication.authenticate({ apiKey: KEY })).toEqual(expected);
    expect(await t.send(API_VERSION, {}, { 'x-api-key': KEY })).toEqual({
      data: { apiVersion: expect.any(String) },
    });
  });

  it('carries the pipelines a key is limited to', async () => {
    expect(await t.authentication.authenticate({ apiKey: SCOPED_KEY })).toEqual({
      principal: { kind: 'apiKey', userId: ownerId, role: 'viewer', pipelineIds: ['orders', 'refunds'] },
      actor: 'apikey:k-2',
    });
  });

  it('refuses an unknown key, and a key once revoked', async () => {
    expect(codeOf(await t.send(API_VERSION, {}, { 'x-api-key': 'trb_made-up' }))).toBe('UNAUTHENTICATED');
    await t.userCommand({
      type: 'RevokeApiKey',
      data: { userId: ownerId, keyId: 'k-1', revokedAt: t.clock.now.toISOString() },
    });
    expect(codeOf(await t.send(API_VERSION, {}, { authorization: `ApiKey ${KEY}` }))).toBe('UNAUTHENTICATED');
  });

  it('refuses the keys of a deactivated owner', async () => {
    await t.userCommand({
      type: 'DeactivateUser',
      data: { userId: ownerId, deactivatedAt: t.clock.now.toISOString() },
    });
    expect(codeOf(await t.send(API_VERSION, {}, { 'x-api-key': SCOPED_KEY }))).toBe('UNAUTHENTICATED');
  });
});
