import { generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_VERSION, type AuthApi, JWT_SECRET, LOGIN, PASSWORD, startAuthApi } from './authApi.js';

let t: AuthApi;
let userId: string;
let sessionId: string;
let validToken: string;
const EMAIL = 'tokens@example.com';

beforeAll(async () => {
  t = await startAuthApi('api_auth_tokens');
  userId = await t.createAdmin(EMAIL);
  const login = await t.send(LOGIN, { email: EMAIL, password: PASSWORD });
  validToken = String(login.data?.login?.accessToken);
  sessionId = String(login.data?.login?.refreshToken).split('.')[0] as string;
});
afterAll(() => t?.stop());

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const claims = () => {
  const iat = Math.floor(t.clock.now.getTime() / 1000);
  return { sub: userId, sid: sessionId, iss: 'tributary', aud: 'tributary-api', iat, exp: iat + 600 };
};
const signed = (alg: string, key: Parameters<SignJWT['sign']>[0]) =>
  new SignJWT({ sid: sessionId })
    .setProtectedHeader({ alg })
    .setSubject(userId)
    .setIssuer('tributary')
    .setAudience('tributary-api')
    .setIssuedAt(Math.floor(t.clock.now.getTime() / 1000))
    .setExpirationTime(Math.floor(t.clock.now.getTime() / 1000) + 600)
    .sign(key);

const withToken = (token: string) => t.send(API_VERSION, {}, { authorization: `Bearer ${token}` });
const unauthenticated = {
  data: null,
  errors: [
    expect.objectContaining({
      extensions: expect.objectContaining({ code: 'UNAUTHENTICATED', category: 'UNAUTHENTICATED' }),
    }),
  ],
};

describe('access tokens', () => {
  it('accepts a token the API signed, and its own HS256 token made here the same way', async () => {
    expect(await withToken(validToken)).toEqual({ data: { apiVersion: expect.any(String) } });
    expect(await withToken(await signed('HS256', JWT_SECRET))).toEqual({
      data: { apiVersion: expect.any(String) },
    });
  });

  it('refuses a token whose payload was changed after signing', async () => {
    const [header, , signature] = validToken.split('.');
    const forged = `${header}.${base64url({ ...claims(), sub: 'someone-else' })}.${signature}`;
    expect(await withToken(forged)).toEqual(unauthenticated);
  });

  it('refuses a token with a tampered signature', async () => {
    const last = validToken.at(-2) === 'A' ? 'B' : 'A';
    expect(await withToken(`${validToken.slice(0, -2)}${last}${validToken.at(-1)}`)).toEqual(unauthenticated);
  });

  it('refuses an unsigned token (alg: none)', async () => {
    const none = `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url(claims())}.`;
    expect(await withToken(none)).toEqual(unauthenticated);
  });

  it('refuses another algorithm, even with the right secret (HS512) or a key pair of its own (RS256)', async () => {
    expect(await withToken(await signed('HS512', JWT_SECRET))).toEqual(unauthenticated);
    const { privateKey } = await generateKeyPair('RS256');
    expect(await withToken(await signed('RS256', privateKey))).toEqual(unauthenticated);
  });

  it('refuses a token signed with another key', async () => {
    const otherKey = new TextEncoder().encode('another secret, also thirty-two bytes or more');
    expect(await withToken(await signed('HS256', otherKey))).toEqual(unauthenticated);
  });

  it('refuses garbage and an unknown scheme', async () => {
    expect(await withToken('not-a-jwt')).toEqual(unauthenticated);
    expect(await t.send(API_VERSION, {}, { authorization: `Basic ${validToken}` })).toEqual(unauthenticated);
  });

  it('answers anonymously without credentials (what anonymous may do is for authorization to say)', async () => {
    expect(await t.authentication.authenticate({})).toEqual({
      principal: { kind: 'anonymous', userId: null, role: null, pipelineIds: null },
      actor: 'anonymous',
    });
  });

  it('refuses a token once it has expired', async () => {
    t.advanceMinutes(16);
    try {
      expect(await withToken(validToken)).toEqual(unauthenticated);
    } finally {
      t.advanceMinutes(-16);
    }
  });

  it('refuses a valid token of a user who has been deactivated since', async () => {
    expect(await withToken(validToken)).toEqual({ data: { apiVersion: expect.any(String) } });
    await t.userCommand({
      type: 'DeactivateUser',
      data: { userId, deactivatedAt: t.clock.now.toISOString() },
    });
    expect(await withToken(validToken)).toEqual(unauthenticated);
  });
});
