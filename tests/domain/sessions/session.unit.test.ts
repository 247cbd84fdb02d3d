import { describe, it } from 'vitest';
import { type SessionEvent, sessionDecider } from '../../../src/domain/sessions/session.js';
import { given } from '../deciderSpec.js';

const familyId = 'f-1';
const userId = 'u-1';
const T0 = '2026-01-01T00:00:00.000Z';
const at = (minutes: number) => new Date(Date.parse(T0) + minutes * 60_000).toISOString();
const [first, second, third] = ['a', 'b', 'c'].map((c) => c.repeat(64)) as [string, string, string];

const started: SessionEvent = {
  type: 'SessionStarted',
  data: { familyId, userId, refreshTokenHash: first, expiresAt: at(60), startedAt: T0 },
};
const refreshed: SessionEvent = {
  type: 'SessionRefreshed',
  data: { familyId, userId, refreshTokenHash: second, expiresAt: at(70), refreshedAt: at(10) },
};
const refresh = (presentedTokenHash: string, minute = 20) =>
  ({
    type: 'RefreshSession',
    data: {
      familyId,
      presentedTokenHash,
      refreshTokenHash: third,
      expiresAt: at(minute + 60),
      refreshedAt: at(minute),
    },
  }) as const;
const revoke = (presentedTokenHash: string) =>
  ({
    type: 'RevokeSession',
    data: { familyId, presentedTokenHash, reason: 'logout', revokedAt: at(30) },
  }) as const;

describe('session decider', () => {
  it('starts a session once', () => {
    given(sessionDecider, []).when({ type: 'StartSession', data: started.data }).thenEvents([started]);
    given(sessionDecider, [started])
      .when({ type: 'StartSession', data: started.data })
      .thenThrows('SESSION_ALREADY_EXISTS');
  });

  it('exchanges the current refresh token for the next one', () => {
    given(sessionDecider, [started, refreshed])
      .when(refresh(second))
      .thenEvents([
        {
          type: 'SessionRefreshed',
          data: { familyId, userId, refreshTokenHash: third, expiresAt: at(80), refreshedAt: at(20) },
        },
      ]);
  });

  it('revokes the whole family when a spent refresh token comes back', () => {
    given(sessionDecider, [started, refreshed])
      .when(refresh(first))
      .thenEvents([
        {
          type: 'SessionRevoked',
          data: { familyId, userId, reason: 'refresh_token_reused', revokedAt: at(20) },
        },
      ]);
  });

  it('refuses an unknown token, an expired one, and any refresh of a revoked session', () => {
    given(sessionDecider, [started]).when(refresh(third)).thenThrows('INVALID_TOKEN');
    given(sessionDecider, [started]).when(refresh(first, 61)).thenThrows('TOKEN_EXPIRED');
    given(sessionDecider, []).when(refresh(first)).thenThrows('INVALID_TOKEN');
    const revoked: SessionEvent = {
      type: 'SessionRevoked',
      data: { familyId, userId, reason: 'logout', revokedAt: at(5) },
    };
    given(sessionDecider, [started, revoked]).when(refresh(first)).thenThrows('SESSION_REVOKED');
  });

  it('ends on logout with any token of the family, once, and not with a stranger token', () => {
    const loggedOut: SessionEvent = {
      type: 'SessionRevoked',
      data: { familyId, userId, reason: 'logout', revokedAt: at(30) },
    };
    given(sessionDecider, [started, refreshed]).when(revoke(second)).thenEvents([loggedOut]);
    given(sessionDecider, [started, refreshed]).when(revoke(first)).thenEvents([loggedOut]);
    given(sessionDecider, [started, refreshed, loggedOut]).when(revoke(second)).thenEvents([]);
    given(sessionDecider, [started]).when(revoke(third)).thenThrows('INVALID_TOKEN');
  });
});
