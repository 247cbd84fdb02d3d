import type { FieldProblem } from '../../errors.js';
import { type EncryptedSecret, encryptedSecretProblems } from '../encryptedSecret.js';

export type NotificationChannelKind = 'webhook' | 'email';

/**
 * A webhook channel: a JSON body POSTed to `url`, signed with HMAC-SHA256 under the signing
 * secret (encrypted by the caller; the domain never sees it plain). `headers` are sent as they
 * are, so they may not carry credentials: the signature is how a receiver knows the sender.
 */
export interface WebhookChannelSettings {
  kind: 'webhook';
  name: string;
  url: string;
  headers: Record<string, string>;
  signingSecret: EncryptedSecret;
}

/** An e-mail channel: one plain-text message to each address. */
export interface EmailChannelSettings {
  kind: 'email';
  name: string;
  addresses: string[];
}

export type NotificationChannelSettings = WebhookChannelSettings | EmailChannelSettings;

const KINDS: readonly string[] = ['webhook', 'email'];
const MAX_NAME_LENGTH = 100;
const MAX_URL_LENGTH = 2_000;
const MAX_HEADERS = 20;
const MAX_ADDRESSES = 20;
// A token of RFC 9110 (field-name); values are visible ASCII and spaces, no line breaks.
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}$/;
const HEADER_VALUE = /^[\t\x20-\x7e]{0,1000}$/;
// Headers that carry credentials, and the ones the notifier sets itself.
const REFUSED_HEADERS = ['authorization', 'proxy-authorization', 'cookie', 'x-api-key', 'content-type'];
const OWN_HEADER_PREFIX = 'x-tributary-';
// Deliberately loose: one @, something on each side, a dot in the domain, no spaces or brackets.
const EMAIL = /^[^\s@<>()",;]{1,64}@[^\s@<>()",;]+\.[^\s@<>()",;]+$/;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Every problem of a channel's settings, each with the path of its field; empty when valid. */
export const validateNotificationChannelSettings = (
  settings: NotificationChannelSettings,
): FieldProblem[] => {
  const problems: FieldProblem[] = [];
  const name = typeof settings.name === 'string' ? settings.name.trim() : '';
  if (name.length === 0 || name.length > MAX_NAME_LENGTH) {
    problems.push({ path: 'name', message: `must be 1 to ${MAX_NAME_LENGTH} characters` });
  }
  if (!KINDS.includes(settings.kind)) {
    problems.push({ path: 'kind', message: `must be one of: ${KINDS.join(', ')}` });
    return problems;
  }
  if (settings.kind === 'webhook') problems.push(...webhookProblems(settings));
  else problems.push(...emailProblems(settings));
  return problems;
};

const webhookProblems = (settings: WebhookChannelSettings): FieldProblem[] => {
  const problems: FieldProblem[] = [];
  if (!isHttpUrl(settings.url)) {
    problems.push({
      path: 'webhook.url',
      message: `must be an http:// or https:// URL of at most ${MAX_URL_LENGTH} characters`,
    });
  }
  problems.push(...headerProblems(settings.headers));
  problems.push(...encryptedSecretProblems(settings.signingSecret, 'webhook.signingSecret'));
  return problems;
};

const isHttpUrl = (value: unknown): value is string => {
  if (typeof value !== 'string' || value.length > MAX_URL_LENGTH) return false;
  try {
    const { protocol, hostname } = new URL(value);
    return (protocol === 'http:' || protocol === 'https:') && hostname.length > 0;
  } catch {
    return false;
  }
};

const headerProblems = (headers: unknown): FieldProblem[] => {
  if (!isRecord(headers)) return [{ path: 'webhook.headers', message: 'must map header names to values' }];
  const entries = Object.entries(headers);
  if (entries.length > MAX_HEADERS) {
    return [{ path: 'webhook.headers', message: `must hold at most ${MAX_HEADERS} headers` }];
  }
  return entries.flatMap(([name, value]): FieldProblem[] => {
    const path = `webhook.headers.${name}`;
    const lower = name.toLowerCase();
    if (!HEADER_NAME.test(name)) return [{ path, message: 'is not a valid HTTP header name' }];
    if (REFUSED_HEADERS.includes(lower) || lower.startsWith(OWN_HEADER_PREFIX)) {
      return [
        {
          path,
          message:
            'cannot be set: credentials are not stored in plain headers (receivers check X-Tributary-Signature), and the X-Tributary-* and Content-Type headers are the notifier’s own',
        },
      ];
    }
    if (typeof value !== 'string' || !HEADER_VALUE.test(value)) {
      return [{ path, message: 'must be at most 1000 visible ASCII characters, no line breaks' }];
    }
    return [];
  });
};

const emailProblems = (settings: EmailChannelSettings): FieldProblem[] => {
  const { addresses } = settings;
  if (!Array.isArray(addresses) || addresses.length === 0 || addresses.length > MAX_ADDRESSES) {
    return [{ path: 'email.addresses', message: `must list 1 to ${MAX_ADDRESSES} e-mail addresses` }];
  }
  const problems: FieldProblem[] = [];
  addresses.forEach((address: unknown, index) => {
    const path = `email.addresses[${index}]`;
    if (typeof address !== 'string' || !EMAIL.test(address)) {
      problems.push({ path, message: 'is not an e-mail address' });
    } else if (addresses.findIndex((other) => sameAddress(other, address)) < index) {
      problems.push({ path, message: `"${address}" is listed twice` });
    }
  });
  return problems;
};

const sameAddress = (a: unknown, b: string) => typeof a === 'string' && a.toLowerCase() === b.toLowerCase();

/** The settings as they are stored: the name trimmed, and only the fields of its kind. */
export const normalizedChannelSettings = (
  settings: NotificationChannelSettings,
): NotificationChannelSettings => {
  const name = settings.name.trim();
  if (settings.kind === 'email') return { kind: 'email', name, addresses: [...settings.addresses] };
  const { url, headers, signingSecret } = settings;
  return { kind: 'webhook', name, url, headers: { ...headers }, signingSecret };
};
