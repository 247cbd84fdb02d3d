/** Consecutive failed logins that lock an account. */
export const MAX_FAILED_LOGINS = 5;

/** How long a lock lasts, from the failed login that set it. */
export const LOCK_DURATION_MINUTES = 15;

export const lockedUntilAfter = (failedAt: string): string =>
  new Date(Date.parse(failedAt) + LOCK_DURATION_MINUTES * 60_000).toISOString();

/** Fails closed: while a lock is set, a time that does not parse counts as inside it. */
export const isLockedAt = (lockedUntil: string | null, now: string): boolean =>
  lockedUntil !== null && !(Date.parse(now) >= Date.parse(lockedUntil));
