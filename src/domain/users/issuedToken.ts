import { TributaryError } from '../../errors.js';

/** A token that was sent out, known here only by its hash, and when it stops being valid. */
export interface IssuedToken {
  tokenHash: string;
  expiresAt: string;
}

/**
 * Accepts a presented token (by its hash) or throws. A wrong token is reported before an
 * expired one, so someone without the token learns nothing about it. The expiry check fails
 * closed: a time that does not parse counts as expired. Comparing hashes with `===` leaks
 * nothing useful through timing, since the token cannot be recovered from its hash.
 */
export const assertTokenAccepted = (issued: IssuedToken | null, presentedHash: string, now: string): void => {
  if (issued === null || issued.tokenHash !== presentedHash) throw new TributaryError('INVALID_TOKEN');
  if (!(Date.parse(now) < Date.parse(issued.expiresAt))) throw new TributaryError('TOKEN_EXPIRED');
};
