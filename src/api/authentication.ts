import { randomBytes } from 'node:crypto';
import type { AuthConfig } from '../config.js';
import {
  isStartedBefore,
  type SessionEvent,
  sessionDecider,
  sessionStreamId,
} from '../domain/sessions/session.js';
import type { Role } from '../domain/users/roles.js';
import type { UserEvent } from '../domain/users/user.js';
import { TributaryError } from '../errors.js';
import { type AccessTokens, createAccessTokens } from '../infra/auth/accessTokens.js';
import { loadUserWithCredentials } from '../infra/auth/secondFactor.js';
import { sha256Hex } from '../infra/crypto/secretToken.js';
import type { EventStore } from '../infra/eventstore/eventStore.js';
import type { MailSender } from '../infra/mail/mailSender.js';
import { DEVELOPMENT_PRINCIPAL, type Principal } from './apiServices.js';

/** The credentials a request or a subscription's `connection_init` carries. */
export interface Credentials {
  /** `Bearer <access token>` or `ApiKey <key>`. */
  authorization?: string | undefined;
  /** The `X-Api-Key` header. */
  apiKey?: string | undefined;
}

export interface Authenticated {
  principal: Principal;
  /** As events record it: the user id, `apikey:<keyId>`, `anonymous`, or `dev`. */
  actor: string;
}

/**
 * Who a request is. No credentials: anonymous (authorization decides what that may do).
 * Credentials that do not hold (a bad, expired or foreign token, a revoked key, a deactivated
 * user, an ended session) throw UNAUTHENTICATED rather than falling back to anonymous, so a
 * client learns its token is bad instead of seeing less than it expects.
 */
export interface Authentication {
  authenticate(credentials: Credentials): Promise<Authenticated>;
  /** What login and refresh sign sessions with; null where this API cannot sign anyone in. */
  sessionTokens: SessionTokens | null;
}

/** What signing in and account recovery need beyond the request. */
export interface SessionTokens {
  accessTokens: AccessTokens;
  refreshTokenTtlSeconds: number;
  /** Sends password reset tokens; absent where no sender is configured (resets are then refused). */
  mailSender?: MailSender;
}

declare module 'mercurius' {
  interface MercuriusContext {
    sessionTokens: SessionTokens | null;
    /** Why the request's credentials were refused; the request then fails before it runs. */
    authenticationError?: unknown;
  }
}

/**
 * AUTH_DISABLED: every request is the development principal, an admin. Sessions can still be
 * opened when `sessionTokens` is given, though requests do not need them.
 */
export const authenticationDisabled = (sessionTokens: SessionTokens | null = null): Authentication => ({
  authenticate: async () => ({ principal: DEVELOPMENT_PRINCIPAL, actor: 'dev' }),
  sessionTokens,
});

const ANONYMOUS: Authenticated = {
  principal: { kind: 'anonymous', userId: null, role: null, pipelineIds: null },
  actor: 'anonymous',
};

export interface AuthenticationOptions extends SessionTokens {
  eventStore: EventStore;
  now(): Date;
  /**
   * How long a user's status and a session's are trusted before they are read again: a
   * deactivation or logout reaches requests on other instances within this time. 0 reads
   * every time.
   */
  cacheMs?: number;
}

interface IssuedKey {
  userId: string;
  keyId: string;
  role: Role;
  pipelineIds: readonly string[] | null;
}

const refused = (message?: string) => new TributaryError('UNAUTHENTICATED', message ? { message } : {});

/**
 * Users and sessions are folded from their streams in the event store, not read from a read
 * model: a token issued a moment ago must work at once, before any projection has caught up.
 */
export const createAuthentication = (options: AuthenticationOptions): Authentication => {
  const cacheMs = options.cacheMs ?? 5_000;
  const cached = new Map<string, { at: number; value: Promise<unknown> }>();
  const remember = <T>(key: string, load: () => Promise<T>): Promise<T> => {
    const now = Date.now();
    const hit = cached.get(key);
    if (hit && now - hit.at < cacheMs) return hit.value as Promise<T>;
    const value = load();
    if (cacheMs > 0) {
      if (cached.size > 10_000) cached.clear();
      cached.set(key, { at: now, value });
      value.catch(() => cached.delete(key));
    }
    return value;
  };
  const fold = async <Event, State>(
    decider: { initialState: State; evolve(state: State, event: Event): State },
    streamId: string,
  ) =>
    (await options.eventStore.readStream(streamId)).reduce(
      (state, event) => decider.evolve(state, event as unknown as Event),
      decider.initialState,
    );
  const userOf = (userId: string) =>
    remember(`user:${userId}`, () => loadUserWithCredentials(options.eventStore, userId));
  const sessionState = (sessionId: string) =>
    remember(`session:${sessionId}`, () =>
      fold<SessionEvent, typeof sessionDecider.initialState>(sessionDecider, sessionStreamId(sessionId)),
    );

  // API keys carry no owner id, so the keys issued so far are kept by hash, caught up from the
  // global log when an unknown key shows up (at most once a second, so junk keys cost little).
  const keys = new Map<string, IssuedKey>();
  let keysAfter = 0;
  let lastCatchUp = 0;
  let catchingUp: Promise<void> | null = null;
  const catchUpKeys = () => {
    catchingUp ??= (async () => {
      try {
        const events = await options.eventStore.readAll({
          after: keysAfter,
          filter: { eventTypes: ['ApiKeyIssued'] },
        });
        for (const event of events) {
          const data = (event as unknown as Extract<UserEvent, { type: 'ApiKeyIssued' }>).data;
          keys.set(data.keyHash, {
            userId: data.userId,
            keyId: data.keyId,
            role: data.role,
            pipelineIds: data.pipelineIds ?? null,
          });
          keysAfter = event.position;
        }
        lastCatchUp = Date.now();
      } finally {
        catchingUp = null;
      }
    })();
    return catchingUp;
  };
  const issuedKey = async (key: string) => {
    const hash = sha256Hex(key);
    if (!keys.has(hash) && Date.now() - lastCatchUp >= Math.min(1_000, cacheMs)) await catchUpKeys();
    return keys.get(hash);
  };

  const activeUser = async (userId: string) => {
    const { state, credentials } = await userOf(userId);
    if (state.status !== 'active')
      throw refused('The user cannot sign in: unknown, not yet accepted, or deactivated');
    return { ...state, passwordSetAt: credentials.passwordSetAt };
  };

  const byAccessToken = async (token: string): Promise<Authenticated> => {
    const claims = await options.accessTokens.verify(token, options.now());
    const [user, session] = await Promise.all([activeUser(claims.userId), sessionState(claims.sessionId)]);
    if (
      session.status !== 'active' ||
      session.userId !== claims.userId ||
      isStartedBefore(session, user.passwordSetAt)
    )
      throw new TributaryError('SESSION_REVOKED');
    return {
      principal: { kind: 'user', userId: user.userId, role: user.role, pipelineIds: null },
      actor: user.userId,
    };
  };

  const byApiKey = async (key: string): Promise<Authenticated> => {
    const issued = await issuedKey(key);
    if (issued === undefined) throw refused('The API key is not valid');
    const user = await activeUser(issued.userId);
    const summary = user.apiKeys.find((candidate) => candidate.keyId === issued.keyId);
    if (summary === undefined || summary.revoked) throw refused('The API key has been revoked');
    return {
      principal: {
        kind: 'apiKey',
        userId: issued.userId,
        role: issued.role,
        pipelineIds: issued.pipelineIds,
      },
      actor: `apikey:${issued.keyId}`,
    };
  };

  return {
    sessionTokens: {
      accessTokens: options.accessTokens,
      refreshTokenTtlSeconds: options.refreshTokenTtlSeconds,
      ...(options.mailSender && { mailSender: options.mailSender }),
    },
    async authenticate({ authorization, apiKey }) {
      if (authorization) {
        const [scheme, value, ...rest] = authorization.trim().split(/\s+/);
        if (!value || rest.length > 0)
          throw refused('The Authorization header must be "Bearer <token>" or "ApiKey <key>"');
        if (scheme?.toLowerCase() === 'bearer') return byAccessToken(value);
        if (scheme?.toLowerCase() === 'apikey') return byApiKey(value);
        throw refused('The Authorization header must be "Bearer <token>" or "ApiKey <key>"');
      }
      if (apiKey) return byApiKey(apiKey.trim());
      return ANONYMOUS;
    },
  };
};

/** The credentials in an HTTP request's headers, or in a graphql-ws `connection_init` payload. */
export const credentialsOf = (headers: Record<string, unknown> | null | undefined): Credentials => {
  const credentials: Credentials = { authorization: undefined, apiKey: undefined };
  if (!headers) return credentials;
  // Names in any case; where two differ only in case, the later one counts. A loop rather than
  // a lower-cased copy of every header: this runs on every request.
  for (const name of Object.keys(headers)) {
    const lower = name.toLowerCase();
    if (lower === 'authorization') credentials.authorization = text(headers[name]);
    else if (lower === 'x-api-key') credentials.apiKey = text(headers[name]);
  }
  return credentials;
};

const text = (value: unknown) => (typeof value === 'string' && value.length <= 8_192 ? value : undefined);

/**
 * The principal for the context. A refusal does not throw here (Mercurius would answer a bare
 * 500): the request goes on as anonymous with `authenticationError` set, and buildApi fails it
 * with that error before anything runs.
 */
export const authenticateForContext = async (
  authentication: Authentication,
  credentials: Credentials,
): Promise<Authenticated & { authenticationError?: unknown }> => {
  try {
    return await authentication.authenticate(credentials);
  } catch (error) {
    return { ...ANONYMOUS, authenticationError: error };
  }
};

/**
 * Authentication as the config says: on, with the configured key (or, outside production
 * without JWT_SECRET, a random one for this process), or off (AUTH_DISABLED) with sessions
 * still signed, so login works in dev too.
 */
export const authenticationFromConfig = (
  auth: AuthConfig,
  dependencies: { eventStore: EventStore; now(): Date; mailSender?: MailSender },
): Authentication => {
  const secret = auth.jwtSecret === null ? randomBytes(32) : new TextEncoder().encode(auth.jwtSecret);
  const sessionTokens: SessionTokens = {
    accessTokens: createAccessTokens({
      secret,
      ...(auth.jwtPreviousSecret !== null && {
        previousSecrets: [new TextEncoder().encode(auth.jwtPreviousSecret)],
      }),
      ttlSeconds: auth.accessTokenTtlSeconds,
    }),
    refreshTokenTtlSeconds: auth.refreshTokenTtlSeconds,
    ...(dependencies.mailSender && { mailSender: dependencies.mailSender }),
  };
  if (auth.disabled) return authenticationDisabled(sessionTokens);
  return createAuthentication({ ...sessionTokens, ...dependencies });
};
