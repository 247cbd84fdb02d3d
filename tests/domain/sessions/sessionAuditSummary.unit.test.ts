import { describe, expect, it } from 'vitest';
import { summarizeEvent } from '../../../src/projections/audit/summarizeEvent.js';

const facts = { actor: 'ada@example.com', nameOf: () => 'ada@example.com', changedFields: null };
const session = (type: string, data: Record<string, unknown>) =>
  summarizeEvent(
    { type, streamId: 'session-f1234567-x', data: { familyId: 'f1234567-x', userId: 'u-1', ...data } },
    facts,
  );

describe('audit summaries of sessions', () => {
  it('says who started, refreshed and ended a session, and why it ended, never a token hash', () => {
    const hash = 'a'.repeat(64);
    expect(session('SessionStarted', { refreshTokenHash: hash, expiresAt: 'x', startedAt: 'x' })).toBe(
      'user ada@example.com started session f1234567',
    );
    expect(session('SessionRefreshed', { refreshTokenHash: hash, expiresAt: 'x', refreshedAt: 'x' })).toBe(
      'user ada@example.com refreshed session f1234567',
    );
    expect(session('SessionRevoked', { reason: 'logout', revokedAt: 'x' })).toBe(
      'user ada@example.com logged out of session f1234567',
    );
    expect(session('SessionRevoked', { reason: 'refresh_token_reused', revokedAt: 'x' })).toBe(
      'session f1234567 of user ada@example.com was revoked: a spent refresh token was used again',
    );
    expect(session('SessionRevoked', { reason: 'password_changed', revokedAt: 'x' })).toBe(
      'session f1234567 of user ada@example.com ended: the password changed after it began',
    );
  });
});
