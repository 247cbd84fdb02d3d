import type pg from 'pg';
import type { SecretCipher } from '../infra/crypto/secretCipher.js';
import type { EventStore } from '../infra/eventstore/eventStore.js';
import type { Log } from '../infra/log/log.js';
import type { Logger } from '../logger.js';
import type { TransformDependencies } from './transform/compilePipeline.js';

/** What the processors use, whatever they run: the platform's stores, its log, and lookups. */
export interface ProcessorServices {
  pool: pg.Pool;
  eventStore: EventStore;
  log: Log;
  logger: Logger;
  /** What enrich steps look values up in. */
  dependencies?: TransformDependencies;
  /** Decrypts connector secrets (a sink table's connection string); null without SECRETS_KEYS. */
  secretCipher?: SecretCipher | null;
  /** How often runs record progress; every 2 s by default. */
  progressIntervalMs?: number;
}
