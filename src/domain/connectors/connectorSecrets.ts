import { isEncryptedSecret } from '../encryptedSecret.js';
import type { ConnectorKind, KeepSecret } from './connectorConfig.js';

/** Headers that carry credentials; compared without case, as HTTP does. */
export const SECRET_HEADER_NAMES: readonly string[] = [
  'authorization',
  'proxy-authorization',
  'x-api-key',
  'cookie',
];

export const isSecretHeader = (name: string): boolean => SECRET_HEADER_NAMES.includes(name.toLowerCase());

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export const isKeepSecret = (value: unknown): value is KeepSecret =>
  isRecord(value) && value.keep === true && Object.keys(value).length === 1;

/**
 * The paths (relative to the config, such as `sasl.password` or `headers.Authorization`) of
 * the secret fields present in `config`, whatever they hold. The caller encrypts the plain
 * values at these paths before building a command; the decider refuses any left plain.
 */
export const secretPathsOf = (kind: ConnectorKind, config: unknown): string[] =>
  isRecord(config) && Object.hasOwn(SECRET_PATHS, kind) ? SECRET_PATHS[kind](config) : [];

const present =
  (...paths: string[]) =>
  (config: Record<string, unknown>): string[] =>
    paths.filter((path) => valueAt(config, path) !== undefined);

const secretHeaders = (config: Record<string, unknown>): string[] =>
  isRecord(config.headers)
    ? Object.keys(config.headers)
        .filter(isSecretHeader)
        .map((name) => `headers.${name}`)
    : [];

// A table rather than a switch: a new kind will not compile until its secrets are listed, and
// an unknown kind from outside has none (validation rejects it).
const SECRET_PATHS: Record<ConnectorKind, (config: Record<string, unknown>) => string[]> = {
  'kafka-topic': present('sasl.password'),
  'http-poll': secretHeaders,
  'postgres-query': present('connectionString'),
  'file-upload': () => [],
  'webhook-ingest': present('signingSecret'),
  'postgres-table': present('connectionString'),
  webhook: (config) => [...secretHeaders(config), ...present('signingSecret')(config)],
};

/** The value at a dotted path, or undefined where the path leads nowhere. */
export const valueAt = (root: unknown, path: string): unknown =>
  path
    .split('.')
    .reduce<unknown>(
      (node, key) => (isRecord(node) && Object.hasOwn(node, key) ? node[key] : undefined),
      root,
    );

// Secrets sit at most two levels down (`sasl.password`, `headers.Authorization`).
const MAX_DEPTH = 3;

/**
 * `input` with each `{ keep: true }` replaced by the encrypted secret at the same path of
 * `current`. A marker with nothing to keep stays, and validation reports it by its path.
 */
export const resolveKeptSecrets = (input: unknown, current: unknown, depth = 0): unknown => {
  if (isKeepSecret(input)) return isEncryptedSecret(current) ? current : input;
  if (!isRecord(input) || depth >= MAX_DEPTH) return input;
  return Object.fromEntries(
    Object.entries(input).map(([key, value]) => [
      key,
      resolveKeptSecrets(value, isRecord(current) ? current[key] : undefined, depth + 1),
    ]),
  );
};
