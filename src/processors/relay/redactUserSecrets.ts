import type { UserEvent } from '../../domain/users/userEvent.js';
import type { RecordedEvent } from '../../infra/eventstore/eventStore.js';

/** What a redacted field holds on `tributary.events`: the same marker as in the audit log. */
export const REDACTED = '[redacted]';

type SecretFields<Event extends { type: string; data: object }> = {
  readonly [Type in Event['type']]?: readonly (keyof Extract<Event, { type: Type }>['data'] & string)[];
};

/**
 * The fields of user events that must not leave the event store: hashes of passwords (PHC
 * strings), of invitation and email-verification tokens and of API keys (SHA-256). A hash is not
 * the secret, but an offline guess against it is, and no consumer of `tributary.events` needs one.
 * An API key's `prefix` goes too: it is the key's first characters, and the audit log hides it
 * as well. Fields are replaced by REDACTED, not removed: the payload keeps the shape its Avro
 * schema (tributary.events.<type>) declares, and a consumer still sees that a password was set.
 */
export const USER_SECRET_FIELDS = {
  AdminBootstrapped: ['passwordHash'],
  UserInvited: ['invitationTokenHash'],
  InvitationAccepted: ['passwordHash'],
  EmailVerificationRequested: ['tokenHash'],
  PasswordChanged: ['passwordHash'],
  ApiKeyIssued: ['keyHash', 'prefix'],
} as const satisfies SecretFields<UserEvent>;

// The safety net under the list above, for user events only: a field added later (a TOTP
// secret, a recovery code hash) or a shape an older version wrote is redacted by its name
// before anyone remembers to list it. No field of today's user events matches it by accident
// but `totpStep` (which step's code a login used: a time, not a secret), named here as public.
const SECRET_NAME = /hash|secret|token|password|passwd|totp|credential|recovery/i;
const PUBLIC_NAMES: readonly string[] = ['totpStep'];

const USER_STREAM = 'user-';
// A notification channel's signing secret is encrypted, but unlike a connector's no processor
// needs it from the log: the notifier reads the channel from its stream in the event store.
const CHANNEL_STREAM = 'notificationchannel-';
const CHANNEL_SECRET_FIELDS: readonly string[] = ['signingSecret'];

/**
 * The event as the relay may publish it. Events of `user-*` streams lose the values of their
 * secret fields (USER_SECRET_FIELDS, and any field at any depth whose name looks secret), those of
 * `notificationchannel-*` streams their signing secret; every other event is returned as it is,
 * the same object.
 *
 * Connector events keep their `EncryptedSecret` fields (`{ alg, keyId, iv, tag, ciphertext }`):
 * they are AES-256-GCM ciphertexts, unreadable without the platform's key, which never enters an
 * event or the log; they are already as exposed in the event store, and the processors that run
 * connectors read them here and decrypt them with the key they are configured with. Pipeline
 * events are relayed whole too: sinks and steps are what processors run.
 */
export const redactUserSecrets = (event: RecordedEvent): RecordedEvent => {
  if (event.streamId.startsWith(CHANNEL_STREAM)) {
    return { ...event, data: redactFields(event.data, CHANNEL_SECRET_FIELDS) };
  }
  if (!event.streamId.startsWith(USER_STREAM)) return event;
  const listed: readonly string[] = USER_SECRET_FIELDS[event.type as keyof typeof USER_SECRET_FIELDS] ?? [];
  return { ...event, data: redactFields(event.data, listed) };
};

const redactFields = (value: unknown, listed: readonly string[] = []): unknown => {
  if (Array.isArray(value)) return value.map((item) => redactFields(item));
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([name, inner]) =>
      listed.includes(name) || (SECRET_NAME.test(name) && !PUBLIC_NAMES.includes(name))
        ? [name, REDACTED]
        : [name, redactFields(inner)],
    ),
  );
};
