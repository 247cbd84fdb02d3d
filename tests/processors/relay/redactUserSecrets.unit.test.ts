import { describe, expect, it } from 'vitest';
import { userEventTypes } from '../../../src/domain/users/userEvent.js';
import { createAvroCodec } from '../../../src/infra/avro/avroCodec.js';
import type { RecordedEvent } from '../../../src/infra/eventstore/eventStore.js';
import {
  REDACTED,
  redactUserSecrets,
  USER_SECRET_FIELDS,
} from '../../../src/processors/relay/redactUserSecrets.js';
import { domainEventExamples } from '../../infra/avro/domainEventExamples.js';

const isUserEvent = (type: string) => (userEventTypes as readonly string[]).includes(type);

/** The domain's example events as the store records them: user events in `user-<id>` streams. */
const recorded = (): RecordedEvent[] =>
  domainEventExamples().map((example, index) => ({
    id: `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`,
    streamId: isUserEvent(example.type)
      ? `user-${(example.data as { userId: string }).userId}`
      : `${example.type.toLowerCase()}-1`,
    revision: index,
    position: index + 1,
    type: example.type,
    data: example.data,
    metadata: {},
    recordedAt: new Date(0),
  }));

// What a password hash (PHC string) or a SHA-256 token or key hash looks like.
const HASH = /\$[a-z0-9-]+\$|\b[0-9a-f]{64}\b/i;

describe('redactUserSecrets', () => {
  const events = recorded();
  const userEvents = events.filter((event) => event.streamId.startsWith('user-'));

  it.each(Object.entries(USER_SECRET_FIELDS))(
    'replaces %s fields %j with [redacted] and keeps the others',
    (type, fields) => {
      // Given the domain's examples of this event type
      const examples = userEvents.filter((event) => event.type === type);
      expect(examples.length).toBeGreaterThan(0);
      for (const event of examples) {
        // When redacted
        const redacted = redactUserSecrets(event).data as Record<string, unknown>;
        // Then each secret field is there but holds [redacted], and every other field is unchanged
        const original = event.data as Record<string, unknown>;
        for (const field of fields) {
          expect(original[field]).toEqual(expect.any(String));
          expect(redacted[field]).toBe(REDACTED);
        }
        for (const [field, value] of Object.entries(original)) {
          if (!(fields as readonly string[]).includes(field)) expect(redacted[field]).toEqual(value);
        }
      }
    },
  );

  it('leaves no hash in any user event the domain emits', () => {
    expect(new Set(userEvents.map((event) => event.type))).toEqual(new Set(userEventTypes));
    for (const event of userEvents) {
      expect(JSON.stringify(redactUserSecrets(event).data)).not.toMatch(HASH);
    }
  });

  it('keeps redacted user events valid against their payload schemas', () => {
    const codec = createAvroCodec();
    for (const event of userEvents) {
      expect(() =>
        codec.encode(`tributary.events.${event.type}`, redactUserSecrets(event).data),
      ).not.toThrow();
    }
  });

  it('redacts a secret-looking field the list does not know yet, at any depth, in user streams only', () => {
    // Given a user event of a type not listed, with a TOTP secret nested in it
    const event: RecordedEvent = {
      ...userEvents[0]!,
      type: 'TwoFactorEnabled',
      data: {
        userId: 'u-1',
        factor: { kind: 'totp', totpSecret: 'JBSWY3DPEHPK3PXP' },
        codes: [{ recoveryHash: 'x' }],
      },
    };
    // Then its secret fields are redacted, the rest kept
    expect(redactUserSecrets(event).data).toEqual({
      userId: 'u-1',
      factor: { kind: 'totp', totpSecret: REDACTED },
      codes: [{ recoveryHash: REDACTED }],
    });
    // And the same data in another stream is left alone
    const elsewhere = { ...event, streamId: 'pipeline-1' };
    expect(redactUserSecrets(elsewhere)).toBe(elsewhere);
  });

  it('relays the events of other streams as they are, connector ciphertexts included', () => {
    const others = events.filter((event) => !event.streamId.startsWith('user-'));
    const withCiphertext = others.filter((event) => JSON.stringify(event.data).includes('"ciphertext"'));
    expect(withCiphertext.length).toBeGreaterThan(0);
    for (const event of others) expect(redactUserSecrets(event)).toBe(event);
  });
});
