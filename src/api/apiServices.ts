import type pg from 'pg';
import type { Role } from '../domain/users/roles.js';
import type { SecretCipher } from '../infra/crypto/secretCipher.js';
import type { EventStore } from '../infra/eventstore/eventStore.js';
import type { Log } from '../infra/log/log.js';
import type { MailSender } from '../infra/mail/mailSender.js';

/** What resolvers reach through the GraphQL context; the composition root builds it. */
export interface ApiServices {
  pool: pg.Pool;
  eventStore: EventStore;
  /** New ids and the current time enter the domain through commands, from here. */
  newId(): string;
  now(): Date;
  /** Encrypts connector secrets before they enter a command; null when no key is configured. */
  secretCipher: SecretCipher | null;
  /** The log, for operations on topics (replaying dead letters); absent where the API has none. */
  log?: Log;
  /** Where mail leaves (verification, channel tests); absent where none is configured. */
  mailSender?: MailSender | undefined;
}

/**
 * Who is asking, as authentication found them. `development` stands for every request when
 * authentication is off (dev and tests that are not about access): it acts as an admin.
 */
export interface Principal {
  kind: 'user' | 'apiKey' | 'anonymous' | 'development';
  /** The user, or the owner of the API key; null for anonymous and development. */
  userId: string | null;
  /** The role whose permissions apply; null for anonymous. */
  role: Role | null;
  /** An API key limited to some pipelines names them; null means no such limit. */
  pipelineIds: readonly string[] | null;
}

export const DEVELOPMENT_PRINCIPAL: Principal = {
  kind: 'development',
  userId: null,
  role: 'admin',
  pipelineIds: null,
};

export interface ApiContextFields {
  services: ApiServices;
  /** Who is asking; authorization decides on it. */
  principal: Principal;
  /** Who acts, as events record it: the user id, `apikey:<keyId>`, or `dev` without authentication. */
  actor: string;
  /** From the `Idempotency-Key` header: a mutation sent again with it takes effect once. */
  commandId: string | undefined;
  /** From the `X-Correlation-Id` header, else the request id; recorded on every event written. */
  correlationId: string;
  /**
   * Subscriptions only: the principal as it is now, from the credentials the connection opened
   * with (cached a few seconds). A role changed since is what the next event is checked against;
   * credentials that stopped holding (a deactivated user, a revoked key or session, an expired
   * token) reject, which ends the subscription. Absent for anonymous connections.
   */
  currentPrincipal?: (() => Promise<Principal>) | undefined;
}

declare module 'mercurius' {
  interface MercuriusContext extends ApiContextFields {}
}

export type { MercuriusContext as ApiContext } from 'mercurius';
