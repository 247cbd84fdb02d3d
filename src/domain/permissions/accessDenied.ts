/**
 * A request that authorization refused, for the audit log. One stream a day
 * (`security-<yyyy-mm-dd>`): denials belong to no aggregate, and no decision ever reads them
 * back, so the stream only has to keep them in order and findable by day.
 */
export interface AccessDenied {
  type: 'AccessDenied';
  data: {
    /** Who asked, as events record actors: a user id, `apikey:<keyId>`, or `anonymous`. */
    actor: string;
    /** The principal's kind: user, apiKey, anonymous or development. */
    principalKind: string;
    /** The role whose permissions applied; absent for anonymous. */
    role?: string;
    action: string;
    /** Why, in words: the rule that refused. */
    reason: string;
    /** The pipeline the request named, when it named one. */
    pipelineId?: string;
    deniedAt: string;
  };
}

export type SecurityEvent = AccessDenied;

export const securityEventTypes = ['AccessDenied'] as const satisfies readonly SecurityEvent['type'][];

/** The stream of the day of `at` (UTC). */
export const securityStreamId = (at: Date): string => `security-${at.toISOString().slice(0, 10)}`;
