import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

// RFC 6238 as authenticator apps implement it: HMAC-SHA1, 30-second steps, 6 digits.
const STEP_SECONDS = 30;
const DIGITS = 6;
const SECRET_BYTES = 20;
// One step either side, for clocks a little apart and a code typed just as it changed.
const WINDOW = 1;
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

const toBase32 = (bytes: Buffer): string => {
  let bits = '';
  for (const byte of bytes) bits += byte.toString(2).padStart(8, '0');
  let text = '';
  for (let at = 0; at < bits.length; at += 5)
    text += BASE32[Number.parseInt(bits.slice(at, at + 5).padEnd(5, '0'), 2)];
  return text;
};

const fromBase32 = (text: string): Buffer => {
  let bits = '';
  for (const char of text.replace(/=+$/, '').toUpperCase()) {
    const value = BASE32.indexOf(char);
    if (value < 0) throw new Error('A TOTP secret must be base32');
    bits += value.toString(2).padStart(5, '0');
  }
  const bytes: number[] = [];
  for (let at = 0; at + 8 <= bits.length; at += 8) bytes.push(Number.parseInt(bits.slice(at, at + 8), 2));
  return Buffer.from(bytes);
};

/** A new secret, base32 as authenticator apps take it: 160 bits, the size RFC 4226 recommends. */
export const newTotpSecret = (): string => toBase32(randomBytes(SECRET_BYTES));

/** The code of `secret` for the 30-second step that holds `at` (RFC 4226 dynamic truncation). */
export const totpCode = (secret: string, at: Date): string => {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(at.getTime() / 1000 / STEP_SECONDS)));
  const digest = createHmac('sha1', fromBase32(secret)).update(counter).digest();
  const offset = (digest[digest.length - 1] ?? 0) & 0x0f;
  const value = digest.readUInt32BE(offset) & 0x7fffffff;
  return String(value % 10 ** DIGITS).padStart(DIGITS, '0');
};

/**
 * The step (Unix time / 30 s) whose code `code` is, among the step at `at` and the one just
 * before or after; null when it is none of them. Every step is compared in constant time, so
 * the timing does not say which one matched.
 */
export const totpStepOf = (secret: string, code: string, at: Date): number | null => {
  if (!/^\d{6}$/.test(code)) return null;
  const current = Math.floor(at.getTime() / 1000 / STEP_SECONDS);
  let matched: number | null = null;
  for (let step = -WINDOW; step <= WINDOW; step++) {
    const expected = totpCode(secret, new Date(at.getTime() + step * STEP_SECONDS * 1000));
    if (timingSafeEqual(Buffer.from(expected), Buffer.from(code))) matched = current + step;
  }
  return matched;
};

/** Whether `code` is the code of the step at `at`, or of the one just before or after. */
export const isTotpCodeValid = (secret: string, code: string, at: Date): boolean =>
  totpStepOf(secret, code, at) !== null;

/** The otpauth:// URI an authenticator app reads from a QR code. */
export const totpUri = (secret: string, account: string, issuer = 'Tributary'): string =>
  `otpauth://totp/${encodeURIComponent(issuer)}:${encodeURIComponent(account)}?secret=${secret}&issuer=${encodeURIComponent(issuer)}&algorithm=SHA1&digits=${DIGITS}&period=${STEP_SECONDS}`;
