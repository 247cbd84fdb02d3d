/**
 * Where processors read the time: milliseconds since the epoch. Decisions that depend on time
 * passing (an alert's pending period, escalation, reminders) read it here, so tests drive them
 * with a clock they move by hand instead of waiting.
 */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
