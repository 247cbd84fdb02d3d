import type { FieldProblem } from '../errors.js';

/**
 * A secret as the domain sees it: AES-256-GCM ciphertext, encrypted by the caller before the
 * command is built (`src/infra/crypto/secretCipher.ts`). The domain never sees, stores or
 * emits the plain value. `keyId` names the key that encrypted it, so keys can rotate; the
 * other fields are base64.
 */
export interface EncryptedSecret {
  alg: 'AES-256-GCM';
  keyId: string;
  /** 12 bytes. */
  iv: string;
  /** The 16-byte authentication tag. */
  tag: string;
  ciphertext: string;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;
const FIELDS = ['alg', 'keyId', 'iv', 'tag', 'ciphertext'];

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isBase64 = (value: unknown, bytes?: number): value is string =>
  typeof value === 'string' &&
  BASE64.test(value) &&
  (bytes === undefined || value.length === Math.ceil(bytes / 3) * 4);

export const isEncryptedSecret = (value: unknown): value is EncryptedSecret =>
  isRecord(value) &&
  Object.keys(value).every((key) => FIELDS.includes(key)) &&
  value.alg === 'AES-256-GCM' &&
  typeof value.keyId === 'string' &&
  KEY_ID.test(value.keyId) &&
  isBase64(value.iv, 12) &&
  isBase64(value.tag, 16) &&
  isBase64(value.ciphertext);

/**
 * The problem, if any, of a field that must hold a secret. The message never repeats the
 * value: a plain string here is most likely the secret itself.
 */
export const encryptedSecretProblems = (value: unknown, path: string): FieldProblem[] => {
  if (isEncryptedSecret(value)) return [];
  const message =
    typeof value === 'string'
      ? 'is a secret, so it must arrive encrypted (an EncryptedSecret), never as a plain string'
      : 'must be an EncryptedSecret: { alg: "AES-256-GCM", keyId, iv, tag, ciphertext } in base64';
  return [{ path, message }];
};
