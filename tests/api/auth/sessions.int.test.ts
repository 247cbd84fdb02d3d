import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../../src/infra/crypto/passwordHasher.js';
import {
  API_VERSION,
  type AuthApi,
  codeOf,
  LOGIN,
  LOGOUT,
  PASSWORD,
  REFRESH,
  sessionOf,
  startAuthApi,
} from './authApi.js';

let t: AuthApi;
const EMAIL = 'sessions@example.com';

beforeAll(async () => {
  t = await startAuthApi('api_auth_sessions');
  await t.createAdmin(EMAIL);
});
afterAll(() => t?.stop());

const login = async () => sessionOf(await t.send(LOGIN, { email: EMAIL, password: PASSWORD }), 'login');
const refresh = (refreshToken: string) => t.send(REFRESH, { refreshToken });
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const sessionEvents = async (refreshToken: string) =>
  (await t.eventStore.readStream(`session-${refreshToken.split('.')[0]}`)).map((event) => [
    event.type,
    (event.data as { reason?: string }).reason,
  ]);

describe('sessions', () => {
  it('rotates: each refresh answers a new pair, and the new refresh token is the one that works next', async () => {
    const first = await login();
    t.advanceMinutes(1);
    const second = sessionOf(await refresh(first.refreshToken), 'refreshSession');
    expect(second).toEqual({
      userId: first.userId,
      accessToken: expect.stringMatching(/^eyJ/),
      refreshToken: expect.stringMatching(new RegExp(`^${first.refreshToken.split('.')[0]}\\.`)),
      refreshTokenExpiresAt: new Date(t.clock.now.getTime() + 86_400_000).toISOString(),
    });
    expect(second.refreshToken).not.toBe(first.refreshToken);
    const third = sessionOf(await refresh(second.refreshToken), 'refreshSession');
    expect(third.refreshToken).not.toBe(second.refreshToken);
    expect(await t.send(API_VERSION, {}, bearer(third.accessToken))).toEqual({
      data: { apiVersion: expect.any(String) },
    });
    // Refresh tokens are kept as hashes only.
    expect(JSON.stringify(await t.eventStore.readAll())).not.toContain(third.refreshToken.split('.')[1]);
  });

  it('revokes the whole family when a spent refresh token is presented again (theft detection)', async () => {
    const first = await login();
    const second = sessionOf(await refresh(first.refreshToken), 'refreshSession');
    const reused = await refresh(first.refreshToken);
    expect(reused).toEqual({
      data: null,
      errors: [
        expect.objectContaining({
          extensions: expect.objectContaining({ code: 'SESSION_REVOKED', category: 'UNAUTHENTICATED' }),
        }),
      ],
    });
    expect(codeOf(await refresh(second.refreshToken))).toBe('SESSION_REVOKED');
    expect(codeOf(await t.send(API_VERSION, {}, bearer(second.accessToken)))).toBe('SESSION_REVOKED');
    expect(await sessionEvents(first.refreshToken)).toEqual([
      ['SessionStarted', undefined],
      ['SessionRefreshed', undefined],
      ['SessionRevoked', 'refresh_token_reused'],
    ]);
  });

  it('logs out: the refresh token and the access tokens of the session stop working', async () => {
    const session = await login();
    const answer = await t.send(LOGOUT, { refreshToken: session.refreshToken }, bearer(session.accessToken));
    expect(answer).toEqual({ data: { logout: { position: expect.any(String) } } });
    expect(codeOf(await refresh(session.refreshToken))).toBe('SESSION_REVOKED');
    expect(codeOf(await t.send(API_VERSION, {}, bearer(session.accessToken)))).toBe('SESSION_REVOKED');
    expect((await sessionEvents(session.refreshToken)).at(-1)).toEqual(['SessionRevoked', 'logout']);
  });

  it('refuses a refresh token that is made up, of a session that does not exist, or expired', async () => {
    expect(codeOf(await refresh('garbage'))).toBe('INVALID_TOKEN');
    expect(codeOf(await refresh('00000000-0000-4000-8000-999999999999.abc'))).toBe('INVALID_TOKEN');
    const session = await login();
    expect(codeOf(await refresh(`${session.refreshToken.split('.')[0]}.made-up`))).toBe('INVALID_TOKEN');
    t.advanceMinutes(24 * 60 + 1);
    expect(codeOf(await refresh(session.refreshToken))).toBe('TOKEN_EXPIRED');
  });
  it('ends the sessions begun before a password change, and not those begun after it', async () => {
    const before = await login();
    t.advanceMinutes(1);
    await t.userCommand({
      type: 'ChangePassword',
      data: {
        userId: before.userId,
        passwordHash: await hashPassword(PASSWORD),
        changedAt: t.clock.now.toISOString(),
      },
    });
    expect(codeOf(await t.send(API_VERSION, {}, bearer(before.accessToken)))).toBe('SESSION_REVOKED');
    expect(codeOf(await refresh(before.refreshToken))).toBe('SESSION_REVOKED');
    expect((await sessionEvents(before.refreshToken)).at(-1)).toEqual(['SessionRevoked', 'password_changed']);
    t.advanceMinutes(1);
    const after = await login();
    expect(await t.send(API_VERSION, {}, bearer(after.accessToken))).toEqual({
      data: { apiVersion: expect.any(String) },
    });
    expect(sessionOf(await refresh(after.refreshToken), 'refreshSession').userId).toBe(after.userId);
  });
});
