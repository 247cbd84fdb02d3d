import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_VERSION, type AuthApi, codeOf, LOGIN, PASSWORD, sessionOf, startAuthApi } from './authApi.js';

let t: AuthApi;
let adminId: string;
const EMAIL = 'root@example.com';

beforeAll(async () => {
  t = await startAuthApi('api_auth_login');
  adminId = await t.createAdmin(EMAIL);
});
afterAll(() => t?.stop());

const loginTypes = async () =>
  (await t.eventStore.readStream(`user-${adminId}`))
    .map((event) => event.type)
    .filter((type) => type !== 'AdminBootstrapped');

describe('login', () => {
  it('signs in with the right password, records it, and the access token authenticates requests', async () => {
    const answer = await t.send(LOGIN, { email: ' Root@Example.com ', password: PASSWORD });
    expect(answer).toEqual({
      data: {
        login: {
          userId: adminId,
          role: 'admin',
          accessToken: expect.stringMatching(/^eyJ/),
          accessTokenExpiresAt: '2026-03-01T09:15:00.000Z',
          refreshToken: expect.stringMatching(/^[0-9a-f-]{36}\./),
          refreshTokenExpiresAt: '2026-03-02T09:00:00.000Z',
        },
      },
    });
    expect(await loginTypes()).toEqual(['UserLoginSucceeded']);
    const token = sessionOf(answer, 'login').accessToken;
    expect(await t.send(API_VERSION, {}, { authorization: `Bearer ${token}` })).toEqual({
      data: { apiVersion: expect.any(String) },
    });
    const principal = await t.authentication.authenticate({ authorization: `Bearer ${token}` });
    expect(principal).toEqual({
      principal: { kind: 'user', userId: adminId, role: 'admin', pipelineIds: null },
      actor: adminId,
    });
  });

  it('refuses a wrong password and an unknown address alike, recording the failure of a known user', async () => {
    const wrong = await t.send(LOGIN, { email: EMAIL, password: 'not the password' });
    const unknown = await t.send(LOGIN, { email: 'nobody@example.com', password: PASSWORD });
    const expected = {
      data: null,
      errors: [
        expect.objectContaining({
          message: 'The e-mail address or password is wrong',
          extensions: expect.objectContaining({ code: 'INVALID_CREDENTIALS', category: 'UNAUTHENTICATED' }),
        }),
      ],
    };
    expect(wrong).toEqual(expected);
    expect(unknown).toEqual(expected);
    expect((await loginTypes()).at(-1)).toEqual('UserLoginFailed');
  });

  it('locks the account after five failures in a row, even for the right password, until 15 minutes pass', async () => {
    const codes: string[] = [];
    // One failure is already recorded by the test before.
    for (let attempt = 0; attempt < 4; attempt++) {
      const answer = await t.send(LOGIN, { email: EMAIL, password: 'still not the password' });
      codes.push(String(codeOf(answer)));
    }
    expect(codes).toEqual([
      'INVALID_CREDENTIALS',
      'INVALID_CREDENTIALS',
      'INVALID_CREDENTIALS',
      'USER_LOCKED',
    ]);
    const whileLocked = await t.send(LOGIN, { email: EMAIL, password: PASSWORD });
    expect(whileLocked).toEqual({
      data: null,
      errors: [expect.objectContaining({ extensions: expect.objectContaining({ code: 'USER_LOCKED' }) })],
    });
    t.advanceMinutes(15);
    const afterLock = await t.send(LOGIN, { email: EMAIL, password: PASSWORD });
    expect(sessionOf(afterLock, 'login').userId).toBe(adminId);
    expect((await loginTypes()).slice(-3)).toEqual(['UserLocked', 'UserUnlocked', 'UserLoginSucceeded']);
  });

  it('never writes the password into an event', async () => {
    const events = await t.eventStore.readAll();
    expect(JSON.stringify(events)).not.toContain(PASSWORD);
    expect(JSON.stringify(events)).not.toContain('not the password');
  });
});
