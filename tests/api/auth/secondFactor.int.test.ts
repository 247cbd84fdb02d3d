import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { confirmTotp, disableTotp, enrollTotp } from '../../../src/infra/auth/secondFactor.js';
import { totpCode } from '../../../src/infra/crypto/totp.js';
import { type AuthApi, codeOf, LOGIN, PASSWORD, sessionOf, startAuthApi } from './authApi.js';

let t: AuthApi;
let userId: string;
let secret: string;
const EMAIL = 'totp@example.com';
const asUser = () => ({ actor: userId });

beforeAll(async () => {
  t = await startAuthApi('api_auth_totp');
  userId = await t.createAdmin(EMAIL);
});
afterAll(() => t?.stop());

const deps = () => ({ eventStore: t.eventStore, secretCipher: t.secretCipher, now: () => t.clock.now });
const login = (totpCode?: string) => t.send(LOGIN, { email: EMAIL, password: PASSWORD, totpCode });
const errorCodeOf = async (work: Promise<unknown>) => {
  try {
    await work;
    return 'accepted';
  } catch (error) {
    return (error as { code?: string }).code;
  }
};

describe('TOTP second factor', () => {
  it('shows a new secret once, stores it encrypted, and asks nothing more at login until confirmed', async () => {
    const enrolled = await enrollTotp(deps(), userId, asUser());
    secret = enrolled.secret;
    expect(enrolled.uri).toContain(`secret=${secret}`);
    expect(JSON.stringify(await t.eventStore.readAll())).not.toContain(secret);
    expect(sessionOf(await login(), 'login').userId).toBe(userId);
  });

  it('is turned on only by a right code', async () => {
    expect(await errorCodeOf(confirmTotp(deps(), userId, '000000', asUser()))).toBe('INVALID_TOTP_CODE');
    await confirmTotp(deps(), userId, totpCode(secret, t.clock.now), asUser());
    expect(await errorCodeOf(enrollTotp(deps(), userId, asUser()))).toBe('TOTP_ALREADY_ENABLED');
  });

  it('then makes login ask for the code, count a wrong code as a failure, and take the right one', async () => {
    expect(codeOf(await login())).toBe('TOTP_REQUIRED');
    const wrong = totpCode(secret, new Date(t.clock.now.getTime() + 10 * 60_000));
    expect(codeOf(await login(wrong))).toBe('INVALID_CREDENTIALS');
    const types = (await t.eventStore.readStream(`user-${userId}`)).map((event) => event.type);
    expect(types.at(-1)).toBe('UserLoginFailed');
    expect(sessionOf(await login(totpCode(secret, t.clock.now)), 'login').userId).toBe(userId);
  });

  it("takes each code once: the same code again is refused, the next step's is taken", async () => {
    // Given a login with the code of the current step (the one before was used just above)
    t.clock.now = new Date(t.clock.now.getTime() + 30_000);
    const code = totpCode(secret, t.clock.now);
    expect(sessionOf(await login(code), 'login').userId).toBe(userId);
    // When someone sends that code again within its window, then it counts as a failed login
    expect(codeOf(await login(code))).toBe('INVALID_CREDENTIALS');
    // And a code of the step before is refused as well
    expect(codeOf(await login(totpCode(secret, new Date(t.clock.now.getTime() - 30_000))))).toBe(
      'INVALID_CREDENTIALS',
    );
    // And the next step's code is taken
    t.clock.now = new Date(t.clock.now.getTime() + 30_000);
    expect(sessionOf(await login(totpCode(secret, t.clock.now)), 'login').userId).toBe(userId);
  });

  it('asks for no code once disabled', async () => {
    await disableTotp(deps(), userId, asUser());
    expect(sessionOf(await login(), 'login').userId).toBe(userId);
  });
});
