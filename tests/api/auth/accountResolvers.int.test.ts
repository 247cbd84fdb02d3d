import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiContext } from '../../../src/api/apiServices.js';
import { accountResolvers } from '../../../src/api/resolvers/authResolvers.js';
import type { MailMessage } from '../../../src/infra/mail/mailSender.js';
import { type AuthApi, LOGIN, sessionOf, startAuthApi } from './authApi.js';

// Called directly until fieldActions.ts names these fields and they join the schema.
type Resolver = (root: unknown, args: Record<string, unknown>, context: ApiContext) => Promise<unknown>;
const mutation = (name: string) => (accountResolvers.Mutation as Record<string, Resolver>)[name] as Resolver;

let t: AuthApi;
let userId: string;
const sent: MailMessage[] = [];

beforeAll(async () => {
  t = await startAuthApi('api_auth_account_resolvers');
  userId = await t.createAdmin('account@example.com');
});
afterAll(() => t?.stop());

const anonymousContext = () =>
  ({
    services: { eventStore: t.eventStore, now: () => t.clock.now, secretCipher: t.secretCipher },
    principal: { kind: 'anonymous', userId: null, role: null, pipelineIds: null },
    actor: 'anonymous',
    commandId: undefined,
    correlationId: 'c-1',
    sessionTokens: {
      ...t.authentication.sessionTokens,
      mailSender: { send: async (message: MailMessage) => void sent.push(message) },
    },
    app: { log: { warn: () => undefined } },
  }) as unknown as ApiContext;

describe('account mutations', () => {
  it('requestPasswordReset answers true for any address, and resetPassword takes the mailed token once', async () => {
    expect(
      await mutation('requestPasswordReset')(null, { email: 'nobody@example.com' }, anonymousContext()),
    ).toBe(true);
    expect(
      await mutation('requestPasswordReset')(null, { email: 'account@example.com' }, anonymousContext()),
    ).toBe(true);
    expect(sent).toHaveLength(1);
    const token = /\n\n(\S+)\n\n/.exec(sent[0]?.text ?? '')?.[1] as string;
    const reset = await mutation('resetPassword')(
      null,
      { token, newPassword: 'the password after' },
      anonymousContext(),
    );
    expect(reset).toEqual({ userId, position: expect.any(String) });
    await expect(
      mutation('resetPassword')(null, { token, newPassword: 'the password after' }, anonymousContext()),
    ).rejects.toMatchObject({ code: 'INVALID_TOKEN' });
    const events = await t.eventStore.readStream(`user-${userId}`);
    expect(events.at(-1)?.metadata).toMatchObject({ actor: userId, correlationId: 'c-1' });
    expect(
      sessionOf(
        await t.send(LOGIN, { email: 'account@example.com', password: 'the password after' }),
        'login',
      ).userId,
    ).toBe(userId);
  });
});
