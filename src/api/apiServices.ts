import type pg from 'pg';
import type { SecretCipher } from '../infra/crypto/secretCipher.js';
import type { EventStore } from '../infra/eventstore/eventStore.js';
import type { Log } from '../infra/log/log.js';

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
}

export interface ApiContextFields {
  services: ApiServices;
  /** Who acts; a fixed development actor until accounts land. */
  actor: string;
  /** From the `Idempotency-Key` header: a mutation sent again with it takes effect once. */
  commandId: string | undefined;
  /** From the `X-Correlation-Id` header, else the request id; recorded on every event written. */
  correlationId: string;
}

declare module 'mercurius' {
  interface MercuriusContext extends ApiContextFields {}
}

export type { MercuriusContext as ApiContext } from 'mercurius';
