import { TributaryError } from '../../errors.js';
import { assertNever, type Decider } from '../decider.js';
import { assertTokenAccepted } from '../users/issuedToken.js';

/**
 * A session is one family of refresh tokens, from a login to its end, in the stream
 * `session-<familyId>`. Each refresh spends the current token and issues the next; a spent token
 * presented again means two holders (one of them a thief), so the whole family is revoked.
 * Tokens are known here only by their SHA-256; times arrive on the commands.
 */
export const sessionStreamId = (familyId: string): string => `session-${familyId}`;

export type SessionRevocationReason =
  | 'logout'
  | 'refresh_token_reused'
  | 'user_unavailable'
  | 'password_changed';

export type SessionCommand =
  | {
      type: 'StartSession';
      data: {
        familyId: string;
        userId: string;
        refreshTokenHash: string;
        expiresAt: string;
        startedAt: string;
      };
    }
  | {
      type: 'RefreshSession';
      data: {
        familyId: string;
        presentedTokenHash: string;
        refreshTokenHash: string;
        expiresAt: string;
        refreshedAt: string;
      };
    }
  | {
      /** Ends the session; whoever holds one of its tokens, spent or not, may end it. */
      type: 'RevokeSession';
      data: {
        familyId: string;
        presentedTokenHash: string;
        reason: SessionRevocationReason;
        revokedAt: string;
      };
    };

export type SessionEvent =
  | {
      type: 'SessionStarted';
      data: {
        familyId: string;
        userId: string;
        refreshTokenHash: string;
        expiresAt: string;
        startedAt: string;
      };
    }
  | {
      type: 'SessionRefreshed';
      data: {
        familyId: string;
        userId: string;
        refreshTokenHash: string;
        expiresAt: string;
        refreshedAt: string;
      };
    }
  | {
      type: 'SessionRevoked';
      data: { familyId: string; userId: string; reason: SessionRevocationReason; revokedAt: string };
    };

export const sessionEventTypes = ['SessionStarted', 'SessionRefreshed', 'SessionRevoked'] as const;

export type SessionState =
  | { status: 'none' }
  | {
      status: 'active' | 'revoked';
      familyId: string;
      userId: string;
      startedAt: string;
      current: { tokenHash: string; expiresAt: string };
      /** Every token of the family already exchanged for the next. */
      spentTokenHashes: readonly string[];
    };

const evolve = (state: SessionState, event: SessionEvent): SessionState => {
  switch (event.type) {
    case 'SessionStarted': {
      const { familyId, userId, refreshTokenHash, expiresAt, startedAt } = event.data;
      return {
        status: 'active',
        familyId,
        userId,
        startedAt,
        current: { tokenHash: refreshTokenHash, expiresAt },
        spentTokenHashes: [],
      };
    }
    case 'SessionRefreshed':
      if (state.status === 'none') return state;
      return {
        ...state,
        current: { tokenHash: event.data.refreshTokenHash, expiresAt: event.data.expiresAt },
        spentTokenHashes: [...state.spentTokenHashes, state.current.tokenHash],
      };
    case 'SessionRevoked':
      return state.status === 'none' ? state : { ...state, status: 'revoked' };
    default:
      return assertNever(event);
  }
};

const decide = (command: SessionCommand, state: SessionState): SessionEvent[] => {
  switch (command.type) {
    case 'StartSession': {
      if (state.status !== 'none') throw new TributaryError('SESSION_ALREADY_EXISTS');
      return [{ type: 'SessionStarted', data: command.data }];
    }
    case 'RefreshSession': {
      if (state.status === 'none') throw new TributaryError('INVALID_TOKEN');
      const { familyId, presentedTokenHash, refreshTokenHash, expiresAt, refreshedAt } = command.data;
      if (state.status === 'revoked') throw new TributaryError('SESSION_REVOKED');
      // Theft detection: the answer says revoked; the caller reports it as such after writing it.
      if (state.spentTokenHashes.includes(presentedTokenHash)) {
        return [
          {
            type: 'SessionRevoked',
            data: { familyId, userId: state.userId, reason: 'refresh_token_reused', revokedAt: refreshedAt },
          },
        ];
      }
      assertTokenAccepted(state.current, presentedTokenHash, refreshedAt);
      return [
        {
          type: 'SessionRefreshed',
          data: { familyId, userId: state.userId, refreshTokenHash, expiresAt, refreshedAt },
        },
      ];
    }
    case 'RevokeSession': {
      if (state.status === 'none') throw new TributaryError('INVALID_TOKEN');
      const { familyId, presentedTokenHash, reason, revokedAt } = command.data;
      const isOfFamily =
        state.current.tokenHash === presentedTokenHash || state.spentTokenHashes.includes(presentedTokenHash);
      if (!isOfFamily) throw new TributaryError('INVALID_TOKEN');
      if (state.status === 'revoked') return [];
      return [{ type: 'SessionRevoked', data: { familyId, userId: state.userId, reason, revokedAt } }];
    }
    default:
      return assertNever(command);
  }
};

export const sessionDecider: Decider<SessionCommand, SessionEvent, SessionState> = {
  initialState: { status: 'none' },
  decide,
  evolve,
};

/**
 * Whether a session began before the user's password was last changed or reset: such a session
 * no longer counts, so whoever knew the old password loses access with it.
 */
export const isStartedBefore = (session: { startedAt: string }, passwordSetAt: string | null): boolean =>
  passwordSetAt !== null && Date.parse(session.startedAt) < Date.parse(passwordSetAt);
