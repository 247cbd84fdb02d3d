import { describe, expect, it } from 'vitest';
import { errorCodes, TributaryError, ValidationError } from '../src/errors.js';

describe('error registry', () => {
  it('keeps every published code with its category (a code is never renamed or reused)', () => {
    const published = Object.fromEntries(
      Object.entries(errorCodes).map(([code, { category }]) => [code, category]),
    );
    expect(published).toEqual({
      VALIDATION_FAILED: 'VALIDATION',
      INVALID_QUERY: 'VALIDATION',
      QUERY_TOO_COSTLY: 'VALIDATION',
      QUERY_TOO_DEEP: 'VALIDATION',
      REQUEST_TOO_LARGE: 'VALIDATION',
      PIPELINE_NOT_FOUND: 'NOT_FOUND',
      PIPELINE_ALREADY_EXISTS: 'CONFLICT',
      PIPELINE_ALREADY_ACTIVE: 'CONFLICT',
      PIPELINE_ARCHIVED: 'CONFLICT',
      PIPELINE_NOT_PAUSED: 'CONFLICT',
      PIPELINE_VERSION_NOT_FOUND: 'NOT_FOUND',
      PIPELINE_VERSION_NOT_PUBLISHED: 'CONFLICT',
      PIPELINE_VERSION_ALREADY_PUBLISHED: 'CONFLICT',
      RUN_NOT_FOUND: 'NOT_FOUND',
      RUN_ALREADY_EXISTS: 'CONFLICT',
      RUN_ALREADY_STARTED: 'CONFLICT',
      RUN_NOT_RUNNING: 'CONFLICT',
      RUN_ALREADY_FINISHED: 'CONFLICT',
      RUN_RECORDS_IN_FLIGHT: 'CONFLICT',
      ALERT_RULE_NOT_FOUND: 'NOT_FOUND',
      ALERT_RULE_ALREADY_EXISTS: 'CONFLICT',
      ALERT_NOT_FOUND: 'NOT_FOUND',
      ALERT_ALREADY_EXISTS: 'CONFLICT',
      ALERT_ALREADY_ACKNOWLEDGED: 'CONFLICT',
      ALERT_ALREADY_RESOLVED: 'CONFLICT',
      ALERT_SILENCED: 'CONFLICT',
      NOTIFICATION_CHANNEL_NOT_FOUND: 'NOT_FOUND',
      NOTIFICATION_CHANNEL_ALREADY_EXISTS: 'CONFLICT',
      NOTIFICATION_CHANNEL_DELETED: 'NOT_FOUND',
      USER_NOT_FOUND: 'NOT_FOUND',
      USER_ALREADY_EXISTS: 'CONFLICT',
      USER_DEACTIVATED: 'CONFLICT',
      USER_LOCKED: 'UNAUTHENTICATED',
      INVITATION_PENDING: 'CONFLICT',
      INVITATION_ALREADY_ACCEPTED: 'CONFLICT',
      EMAIL_ALREADY_VERIFIED: 'CONFLICT',
      INVALID_TOKEN: 'UNAUTHENTICATED',
      TOKEN_EXPIRED: 'UNAUTHENTICATED',
      TOTP_REQUIRED: 'UNAUTHENTICATED',
      INVALID_CREDENTIALS: 'UNAUTHENTICATED',
      SESSION_REVOKED: 'UNAUTHENTICATED',
      TOTP_ALREADY_ENABLED: 'CONFLICT',
      TOTP_NOT_ENROLLED: 'CONFLICT',
      INVALID_TOTP_CODE: 'VALIDATION',
      SESSION_ALREADY_EXISTS: 'CONFLICT',
      API_KEY_NOT_FOUND: 'NOT_FOUND',
      API_KEY_ALREADY_EXISTS: 'CONFLICT',
      CONNECTOR_NOT_FOUND: 'NOT_FOUND',
      CONNECTOR_ALREADY_EXISTS: 'CONFLICT',
      CONNECTOR_DELETED: 'NOT_FOUND',
      SECRETS_NOT_CONFIGURED: 'VALIDATION',
      CONCURRENCY_CONFLICT: 'CONFLICT',
      PROJECTION_NOT_FOUND: 'NOT_FOUND',
      PROJECTION_NOT_FAILED: 'CONFLICT',
      PROJECTION_REBUILD_IN_PROGRESS: 'CONFLICT',
      RATE_LIMITED: 'UNAVAILABLE',
      LOG_UNAVAILABLE: 'UNAVAILABLE',
      PIPELINE_SOURCE_NOT_A_TOPIC: 'CONFLICT',
      CONSISTENCY_TIMEOUT: 'UNAVAILABLE',
      FORBIDDEN: 'FORBIDDEN',
      UNAUTHENTICATED: 'UNAUTHENTICATED',
      MAIL_NOT_CONFIGURED: 'UNAVAILABLE',
      MAIL_NOT_SENT: 'UNAVAILABLE',
      INTERNAL_ERROR: 'INTERNAL',
    });
  });

  it('gives an error the message and category of its code', () => {
    const error = new TributaryError('PIPELINE_NOT_FOUND');
    expect(error).toBeInstanceOf(Error);
    expect(error.category).toBe('NOT_FOUND');
    expect(error.message).toBe(errorCodes.PIPELINE_NOT_FOUND.message);
  });

  it('names every field of a validation error in its message', () => {
    const error = new ValidationError([
      { path: 'name', message: 'must not be empty' },
      { path: 'steps[1].drop[0]', message: 'is not a field name' },
    ]);
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.message).toContain('name: must not be empty');
    expect(error.message).toContain('steps[1].drop[0]: is not a field name');
  });
});
