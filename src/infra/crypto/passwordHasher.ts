import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from 'node:crypto';

// OWASP's minimum for scrypt is N=2^17 with r=8; 2^15 keeps a login near 100 ms on a small
// shared core. The parameters travel in every hash, so raising them later only needs a rehash
// at the next login, never a migration.
const LOG_N = 15;
const BLOCK_SIZE = 8;
const PARALLELISM = 1;
const SALT_BYTES = 16;
const HASH_BYTES = 32;
// scrypt needs 128·N·r bytes (32 MiB here), exactly Node's default cap; leave it headroom.
const MAX_MEMORY = 256 * 1024 * 1024;

const PHC = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;

const derive = (password: string, salt: Buffer, bytes: number, options: ScryptOptions) =>
  new Promise<Buffer>((resolve, reject) => {
    scrypt(password.normalize('NFKC'), salt, bytes, { ...options, maxmem: MAX_MEMORY }, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });

const base64 = (bytes: Buffer) => bytes.toString('base64').replace(/=+$/, '');

/**
 * A password as the domain stores it: a PHC string, `$scrypt$ln=15,r=8,p=1$<salt>$<hash>`
 * (base64 without padding), with a random salt per call. The password is NFKC-normalised
 * first, so the same password typed on another keyboard still matches. Nothing here logs.
 */
export const hashPassword = async (password: string): Promise<string> => {
  const salt = randomBytes(SALT_BYTES);
  const hash = await derive(password, salt, HASH_BYTES, { N: 2 ** LOG_N, r: BLOCK_SIZE, p: PARALLELISM });
  return `$scrypt$ln=${LOG_N},r=${BLOCK_SIZE},p=${PARALLELISM}$${base64(salt)}$${base64(hash)}`;
};

/**
 * Whether `password` is the one `stored` was made from, compared in constant time. A stored
 * value that is not an scrypt hash with sane parameters never matches.
 */
export const verifyPassword = async (password: string, stored: string): Promise<boolean> => {
  const match = PHC.exec(stored);
  if (!match) return false;
  const [logN, r, p] = [Number(match[1]), Number(match[2]), Number(match[3])];
  // Bounds on the work a stored value can ask for, so a tampered one cannot stall the server.
  if (logN < 10 || r < 1 || p < 1 || p > 16 || 128 * 2 ** logN * r > MAX_MEMORY / 2) return false;
  const salt = Buffer.from(match[4] ?? '', 'base64');
  const expected = Buffer.from(match[5] ?? '', 'base64');
  if (expected.length < 16) return false;
  const actual = await derive(password, salt, expected.length, { N: 2 ** logN, r, p });
  return timingSafeEqual(actual, expected);
};
