import { createHash } from 'node:crypto';

// PostgreSQL truncates identifiers to 63 bytes; two long names could then collide.
const MAX_IDENTIFIER_BYTES = 63;

/**
 * The schema that holds generation `generation` of a projection's tables:
 * `<main>__<projection>_g<N>`, or, when that is too long for an identifier, the main schema's
 * prefix and a digest of both names (`<main…>__<digest>_g<N>`). The name is stored in
 * `projection_status`, so nothing has to derive it again.
 */
export const generationSchemaName = (mainSchema: string, projection: string, generation: number): string => {
  const name = `${mainSchema}__${projection}_g${generation}`;
  if (Buffer.byteLength(name) <= MAX_IDENTIFIER_BYTES) return name;
  const digest = createHash('md5').update(`${mainSchema}/${projection}`).digest('hex').slice(0, 12);
  const suffix = `__${digest}_g${generation}`;
  return `${mainSchema.slice(0, MAX_IDENTIFIER_BYTES - suffix.length)}${suffix}`;
};

/**
 * Advisory lock classes (the first key of PostgreSQL's two-key advisory locks). The second key
 * is `projectionLockKey`, so every (main schema, projection) pair has its own locks.
 * - LEADER: held, session-level and exclusive, by the one runner that applies events.
 * - RUNNER: held shared by every runner of the projection, leader or standby, so readers can
 *   tell "standby" (runners waiting) from "stopped" (none).
 * - SETUP: taken for one transaction while a process creates or migrates the generation.
 */
export const LOCK_CLASS = { leader: 7_362_002, setup: 7_362_003, runner: 7_362_004 } as const;

/** The first 31 bits of md5('<main schema>/<projection>'): the same number `LOCK_KEY_SQL` computes. */
export const projectionLockKey = (mainSchema: string, projection: string): number =>
  createHash('md5').update(`${mainSchema}/${projection}`).digest().readUInt32BE(0) & 0x7fffffff;

/** SQL for `projectionLockKey(current_schema(), <name column>)`, for readers that only know the pool. */
export const lockKeySql = (nameColumn: string) =>
  `(('x' || substr(md5(current_schema() || '/' || ${nameColumn}), 1, 8))::bit(32)::int & 2147483647)`;
