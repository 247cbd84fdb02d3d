import type {
  NotificationChannelSettings,
  NotificationChannelState,
} from '../../domain/alerts/notificationChannel.js';
import type { EncryptedSecret } from '../../domain/encryptedSecret.js';
import { type FieldProblem, TributaryError, ValidationError } from '../../errors.js';
import type { SecretCipher } from '../../infra/crypto/secretCipher.js';

export interface NotificationChannelInput {
  name: string;
  kind: 'webhook' | 'email';
  webhook?: {
    url: string;
    headers?: { name: string; value: string }[] | null;
    signingSecret?: string | null;
  } | null;
  email?: { addresses: string[] } | null;
}

// Shorter keys are guessable offline from one signed body; receivers' own libraries ask for more.
const MIN_SECRET_LENGTH = 16;

/**
 * The settings a command takes from the API's input: headers as a map, and the signing secret
 * encrypted here, so its plain value goes no further than this request. An update that leaves
 * the secret out keeps the channel's stored one. The decider validates the rest.
 */
export const toChannelSettings = (
  input: NotificationChannelInput,
  current: NotificationChannelState,
  cipher: SecretCipher | null,
): NotificationChannelSettings => {
  if (input.kind === 'email') {
    if (!input.email)
      throw new ValidationError([{ path: 'email', message: 'is required for an e-mail channel' }]);
    return { kind: 'email', name: input.name, addresses: input.email.addresses };
  }
  const { webhook } = input;
  if (!webhook)
    throw new ValidationError([{ path: 'webhook', message: 'is required for a webhook channel' }]);
  const problems: FieldProblem[] = [];
  const headers: Record<string, string> = {};
  (webhook.headers ?? []).forEach(({ name, value }, index) => {
    if (Object.keys(headers).some((known) => known.toLowerCase() === name.toLowerCase())) {
      problems.push({ path: `webhook.headers[${index}].name`, message: `"${name}" is given twice` });
    }
    headers[name] = value;
  });
  const signingSecret = secretOf(webhook.signingSecret, current, cipher, problems);
  if (problems.length > 0) throw new ValidationError(problems);
  return { kind: 'webhook', name: input.name, url: webhook.url, headers, signingSecret: signingSecret! };
};

const secretOf = (
  plain: string | null | undefined,
  current: NotificationChannelState,
  cipher: SecretCipher | null,
  problems: FieldProblem[],
): EncryptedSecret | undefined => {
  const path = 'webhook.signingSecret';
  if (plain === null || plain === undefined) {
    if (current.status !== 'none' && current.settings.kind === 'webhook')
      return current.settings.signingSecret;
    problems.push({ path, message: 'is required for a new webhook channel' });
    return undefined;
  }
  if (plain.length < MIN_SECRET_LENGTH) {
    problems.push({ path, message: `must be at least ${MIN_SECRET_LENGTH} characters` });
    return undefined;
  }
  if (cipher === null) {
    throw new TributaryError('SECRETS_NOT_CONFIGURED', {
      problems: [{ path, message: 'is a secret, and no key is configured to encrypt it (SECRETS_KEYS)' }],
    });
  }
  return cipher.encrypt(plain);
};
