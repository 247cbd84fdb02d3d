import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { EncryptedSecret } from '../../domain/encryptedSecret.js';

/**
 * Encrypts connector secrets before they enter a command, and decrypts them where a connector
 * is run. AES-256-GCM with a random 12-byte IV per encryption, so one plaintext never gives the
 * same ciphertext twice, and a 16-byte tag, so an altered value fails instead of decrypting to
 * garbage. Errors never hold the plaintext or a key.
 */
export interface SecretCipher {
  /** Encrypts with the active key. */
  encrypt(plain: string): EncryptedSecret;
  /** Decrypts with whichever configured key `secret.keyId` names; throws `SecretCipherError`. */
  decrypt(secret: EncryptedSecret): string;
}

export interface SecretCipherOptions {
  /**
   * Every key that may have encrypted a stored secret, by id; each 32 bytes. To rotate, add a
   * new key, make it active, and keep the old ones until no stored secret uses them.
   */
  keys: Record<string, Buffer>;
  activeKeyId: string;
}

export class SecretCipherError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SecretCipherError';
  }
}

const ALGORITHM = 'aes-256-gcm';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
// The domain accepts these key ids in an EncryptedSecret; a key it would refuse is refused here.
const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;

const keyTable = (keys: Record<string, Buffer>): Map<string, Buffer> => {
  const table = new Map<string, Buffer>();
  for (const [keyId, key] of Object.entries(keys)) {
    if (!KEY_ID.test(keyId)) {
      throw new SecretCipherError(
        `Secrets key id "${keyId}" must be 1 to 64 letters, digits, ".", "_" or "-"`,
      );
    }
    if (!Buffer.isBuffer(key) || key.length !== KEY_BYTES) {
      throw new SecretCipherError(
        `Secrets key "${keyId}" must be ${KEY_BYTES} bytes, not ${key?.length ?? 0}`,
      );
    }
    // A copy, so a caller reusing or zeroing its buffer cannot change the key under us.
    table.set(keyId, Buffer.from(key));
  }
  return table;
};

export const createSecretCipher = ({ keys, activeKeyId }: SecretCipherOptions): SecretCipher => {
  const table = keyTable(keys);
  const activeKey = table.get(activeKeyId);
  if (activeKey === undefined) {
    throw new SecretCipherError(
      `The active secrets key "${activeKeyId}" is not among the configured keys (${[...table.keys()].join(', ') || 'none'})`,
    );
  }

  return {
    encrypt(plain) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv(ALGORITHM, activeKey, iv, { authTagLength: TAG_BYTES });
      const ciphertext = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return {
        alg: 'AES-256-GCM',
        keyId: activeKeyId,
        iv: iv.toString('base64'),
        tag: cipher.getAuthTag().toString('base64'),
        ciphertext: ciphertext.toString('base64'),
      };
    },

    decrypt(secret) {
      if (secret?.alg !== 'AES-256-GCM') {
        throw new SecretCipherError('Cannot decrypt a secret: its algorithm is not AES-256-GCM');
      }
      const key = typeof secret.keyId === 'string' ? table.get(secret.keyId) : undefined;
      if (key === undefined) {
        throw new SecretCipherError(
          `Cannot decrypt a secret encrypted with key "${String(secret.keyId)}": no such key is configured ` +
            `(configured: ${[...table.keys()].join(', ')}); a key still in use was removed`,
        );
      }
      const iv = Buffer.from(String(secret.iv), 'base64');
      const tag = Buffer.from(String(secret.tag), 'base64');
      if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES || typeof secret.ciphertext !== 'string') {
        throw new SecretCipherError(
          `Cannot decrypt a secret encrypted with key "${secret.keyId}": it is malformed`,
        );
      }
      try {
        const decipher = createDecipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
        decipher.setAuthTag(tag);
        // Nothing from `update` is used unless `final` has checked the tag.
        const plain = Buffer.concat([decipher.update(secret.ciphertext, 'base64'), decipher.final()]);
        return plain.toString('utf8');
      } catch (cause) {
        throw new SecretCipherError(
          `Cannot decrypt a secret encrypted with key "${secret.keyId}": it was altered, ` +
            'or encrypted with other key material under the same id',
          { cause },
        );
      }
    },
  };
};
