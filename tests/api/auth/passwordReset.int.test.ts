import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestPasswordReset, resetPassword } from '../../../src/infra/auth/passwordReset.js';
import type { MailMessage } from '../../../src/infra/mail/mailSender.js';
import { type AuthApi, codeOf, LOGIN, PASSWORD, sessionOf, startAuthApi } from './authApi.js';

let t: AuthApi;
let userId: string;
const EMAIL = 'reset@example.com';
const NEW_PASSWORD = 'a brand new password';
const sent: MailMessage[] = [];
const anonymous = { actor: 'anonymous' };

beforeAll(async () => {
  t = await startAuthApi('api_auth_reset');
  userId = await t.createAdmin(EMAIL);
});
afterAll(() => t?.stop());

const deps = () => ({
  eventStore: t.eventStore,
  mailSender: { send: async (message: MailMessage) => void sent.push(message) },
  logger: { warn: () => undefined },
  now: () => t.clock.now,
});
const tokenIn = (message: MailMessage | undefined) => /\n\n(\S+)\n\n/.exec(message?.text ?? '')?.[1] ?? '';
const errorCodeOf = async (work: Promise<unknown>) => {
  try {
    await work;
    return 'accepted';
  } catch (error) {
    return (error as { code?: string }).code;
  }
};

describe('password reset', () => {
  it('mails a token to a known address only, and answers alike for an unknown one', async () => {
    await requestPasswordReset(deps(), 'nobody@example.com', anonymous);
    expect(sent).toEqual([]);
    await requestPasswordReset(deps(), ` ${EMAIL.toUpperCase()} `, anonymous);
    expect(sent).toEqual([
      {
        to: EMAIL.toUpperCase(),
        subject: 'Reset your Tributary password',
        text: expect.stringContaining(`${userId}.`),
      },
    ]);
    const events = await t.eventStore.readStream(`user-${userId}`);
    expect(events.at(-1)?.type).toBe('PasswordResetRequested');
    expect(JSON.stringify(events)).not.toContain(tokenIn(sent[0]));
  });

  it('sets the new password with the token once; the token then fails, and the old password with it', async () => {
    const token = tokenIn(sent.at(-1));
    await resetPassword(
      { eventStore: t.eventStore, now: () => t.clock.now },
      { token, newPassword: NEW_PASSWORD },
      anonymous,
    );
    expect(
      await errorCodeOf(resetPassword(deps(), { token, newPassword: 'yet another password' }, anonymous)),
    ).toBe('INVALID_TOKEN');
    expect(codeOf(await t.send(LOGIN, { email: EMAIL, password: PASSWORD }))).toBe('INVALID_CREDENTIALS');
    expect(sessionOf(await t.send(LOGIN, { email: EMAIL, password: NEW_PASSWORD }), 'login').userId).toBe(
      userId,
    );
  });

  it('refuses a token after it expires, a made-up one, and a password too short', async () => {
    await requestPasswordReset(deps(), EMAIL, anonymous);
    const token = tokenIn(sent.at(-1));
    expect(await errorCodeOf(resetPassword(deps(), { token, newPassword: 'short' }, anonymous))).toBe(
      'VALIDATION_FAILED',
    );
    expect(
      await errorCodeOf(
        resetPassword(deps(), { token: `${userId}.made-up`, newPassword: NEW_PASSWORD }, anonymous),
      ),
    ).toBe('INVALID_TOKEN');
    t.advanceMinutes(61);
    expect(await errorCodeOf(resetPassword(deps(), { token, newPassword: NEW_PASSWORD }, anonymous))).toBe(
      'TOKEN_EXPIRED',
    );
  });
});
