import type { FieldProblem } from '../../errors.js';
import { encryptedSecretProblems, isEncryptedSecret } from '../encryptedSecret.js';
import { isKeepSecret, isSecretHeader } from './connectorSecrets.js';

/**
 * One check per kind of field. Each takes the value as it came from outside (unknown) and the
 * path to report, and returns its problems; none repeats a value that could be a secret.
 */
type Check = (value: unknown, path: string) => FieldProblem[];

export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const problem = (path: string, message: string): FieldProblem[] => [{ path, message }];

export const optional =
  (check: Check): Check =>
  (value, path) =>
    value === undefined ? [] : check(value, path);

/**
 * Unknown settings are refused, not ignored: a typo would otherwise be silently lost, and a
 * credential typed into an unexpected field would be stored in plain text.
 */
export const onlyFields = (config: Record<string, unknown>, known: readonly string[], path: string) =>
  Object.keys(config)
    .filter((key) => !known.includes(key))
    .flatMap((key) =>
      problem(`${path}.${key}`, `is not a setting here; the settings are: ${known.join(', ')}`),
    );

export const oneOf =
  (options: readonly string[]): Check =>
  (value, path) =>
    typeof value === 'string' && options.includes(value)
      ? []
      : problem(path, `must be one of: ${options.join(', ')}`);

export const text =
  (maxLength: number): Check =>
  (value, path) =>
    typeof value === 'string' && value.trim().length > 0 && value.length <= maxLength
      ? []
      : problem(path, `must be text of 1 to ${maxLength} characters`);

export const booleanValue: Check = (value, path) =>
  typeof value === 'boolean' ? [] : problem(path, 'must be true or false');

export const wholeNumberBetween =
  (min: number, max: number, unit: string): Check =>
  (value, path) =>
    Number.isInteger(value) && (value as number) >= min && (value as number) <= max
      ? []
      : problem(path, `must be a whole number of ${unit} from ${min} to ${max}`);

// Kafka's own rule for topic names, so a connector valid here is valid on any broker.
const TOPIC_NAME = /^[a-zA-Z0-9._-]{1,249}$/;
export const kafkaTopic: Check = (value, path) =>
  typeof value === 'string' && TOPIC_NAME.test(value) && value !== '.' && value !== '..'
    ? []
    : problem(path, 'must be 1 to 249 characters of letters, digits, ".", "_" or "-"');

const BROKER = /^([A-Za-z0-9.-]{1,253}|\[[0-9A-Fa-f:.]{2,45}\]):(\d{1,5})$/;
export const brokerList: Check = (value, path) => {
  if (!Array.isArray(value) || value.length === 0 || value.length > 50) {
    return problem(path, 'must list 1 to 50 brokers as host:port');
  }
  return value.flatMap((broker: unknown, index) => {
    const port = typeof broker === 'string' ? Number(BROKER.exec(broker)?.[2]) : Number.NaN;
    return port >= 1 && port <= 65535
      ? []
      : problem(`${path}[${index}]`, 'must be host:port, like kafka-1.example.com:9092');
  });
};

const parseUrl = (value: unknown): URL | null => {
  if (typeof value !== 'string' || value.length > 2048) return null;
  try {
    return new URL(value);
  } catch {
    return null;
  }
};

export const httpUrl: Check = (value, path) => {
  const url = parseUrl(value);
  if (url === null || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    return problem(path, 'must be an http:// or https:// URL of at most 2048 characters');
  }
  if (url.username !== '' || url.password !== '') {
    return problem(path, 'must not hold a user name or password; put credentials in headers.Authorization');
  }
  return [];
};

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;
export const sqlIdentifier: Check = (value, path) =>
  typeof value === 'string' && IDENTIFIER.test(value)
    ? []
    : problem(path, 'must be a name of letters, digits and "_" (at most 63), not starting with a digit');

export const tableName: Check = (value, path) =>
  typeof value === 'string' &&
  value.split('.').length <= 2 &&
  value.split('.').every((part) => IDENTIFIER.test(part))
    ? []
    : problem(path, 'must be a table name, optionally with its schema: orders or sales.orders');

export const identifierList: Check = (value, path) => {
  if (!Array.isArray(value) || value.length === 0 || value.length > 32) {
    return problem(path, 'must list 1 to 32 column names');
  }
  const seen = new Set<unknown>();
  return value.flatMap((column: unknown, index) => {
    const at = `${path}[${index}]`;
    if (seen.has(column)) return problem(at, 'repeats an earlier column');
    seen.add(column);
    return sqlIdentifier(column, at);
  });
};

const RECORDS_PATH = /^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*$/;
export const recordsPath: Check = (value, path) =>
  typeof value === 'string' && value.length <= 256 && RECORDS_PATH.test(value)
    ? []
    : problem(path, 'must be a dotted path to the list of records, like data.items');

export const secret: Check = (value, path) =>
  isKeepSecret(value) ? problem(path, 'has no stored secret to keep') : encryptedSecretProblems(value, path);

const HEADER_NAME = /^[A-Za-z0-9_-]{1,100}$/;
const MAX_HEADERS = 50;
export const headers: Check = (value, path) => {
  if (!isRecord(value) || Object.keys(value).length > MAX_HEADERS) {
    return problem(path, `must map at most ${MAX_HEADERS} header names to values`);
  }
  const seen = new Set<string>();
  return Object.entries(value).flatMap(([name, headerValue]) => {
    if (!HEADER_NAME.test(name))
      return problem(path, 'has a header name that is not letters, digits, "-" or "_"');
    const at = `${path}.${name}`;
    if (seen.has(name.toLowerCase())) return problem(at, 'repeats a header (names ignore case)');
    seen.add(name.toLowerCase());
    if (isSecretHeader(name)) return secret(headerValue, at);
    return (typeof headerValue === 'string' && headerValue.length <= 8192) || isEncryptedSecret(headerValue)
      ? []
      : problem(at, 'must be text of at most 8192 characters, or an EncryptedSecret');
  });
};
