import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestEmailVerification } from '../../../src/infra/auth/emailVerification.js';
import { createSmtpMailSender, type SmtpMailSender } from '../../../src/infra/mail/smtpMailSender.js';
import { type SmtpReceiver, startSmtpReceiver } from '../../setup/smtpReceiver.js';
import { type AuthApi, startAuthApi } from './authApi.js';

let t: AuthApi;
let smtp: SmtpReceiver;
let mailSender: SmtpMailSender;
let userId: string;
const EMAIL = 'verify@example.com';
const admin = { actor: 'admin' };

beforeAll(async () => {
  t = await startAuthApi('api_auth_verify');
  userId = await t.createAdmin(EMAIL);
  smtp = await startSmtpReceiver();
  mailSender = createSmtpMailSender({ url: smtp.url, from: 'Tributary <tributary@example.com>' });
});
afterAll(async () => {
  mailSender?.close();
  await smtp?.close();
  await t?.stop();
});

const eventTypes = async () => (await t.eventStore.readStream(`user-${userId}`)).map((event) => event.type);
const codeOf = async (work: Promise<unknown>) =>
  work.then(
    () => 'accepted',
    (error: { code?: string }) => error.code,
  );

describe('e-mail verification', () => {
  it('given no mail sender, when a verification is requested, then MAIL_NOT_CONFIGURED and no event is written', async () => {
    const before = await eventTypes();
    expect(
      await codeOf(
        requestEmailVerification(
          { eventStore: t.eventStore, mailSender: undefined, now: () => t.clock.now },
          userId,
          admin,
        ),
      ),
    ).toBe('MAIL_NOT_CONFIGURED');
    expect(await eventTypes()).toEqual(before);
  });

  it('given an SMTP server, when a verification is requested, then the token goes to the address over SMTP and nowhere in the events', async () => {
    await requestEmailVerification(
      { eventStore: t.eventStore, mailSender, now: () => t.clock.now },
      userId,
      admin,
    );
    expect(smtp.mails).toHaveLength(1);
    const [mail] = smtp.mails;
    expect(mail).toMatchObject({ from: 'tributary@example.com', to: [EMAIL] });
    expect(mail?.raw).toMatch(/^Subject: Verify your Tributary e-mail address\r?$/m);
    const token = /^token: (\S+)\r?$/m.exec(mail?.raw ?? '')?.[1] ?? '';
    expect(token).toHaveLength(43);
    expect(JSON.stringify(await t.eventStore.readStream(`user-${userId}`))).not.toContain(token);
  });

  it('given a mail server that refuses the message, when a verification is requested, then MAIL_NOT_SENT says to ask again', async () => {
    smtp.refuse(true);
    try {
      expect(
        await codeOf(
          requestEmailVerification(
            { eventStore: t.eventStore, mailSender, now: () => t.clock.now },
            userId,
            admin,
          ),
        ),
      ).toBe('MAIL_NOT_SENT');
    } finally {
      smtp.refuse(false);
    }
    await requestEmailVerification(
      { eventStore: t.eventStore, mailSender, now: () => t.clock.now },
      userId,
      admin,
    );
    expect(smtp.mails).toHaveLength(2);
  });
});
