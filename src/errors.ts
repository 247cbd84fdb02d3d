/**
 * The one registry of error codes. A published code is never renamed or reused
 * (`tests/errors.unit.test.ts` pins the list). GraphQL carries `code` in `extensions.code`
 * and the category in `extensions.category`.
 */
export type ErrorCategory =
  | 'VALIDATION'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'FORBIDDEN'
  | 'UNAUTHENTICATED'
  | 'UNAVAILABLE'
  | 'INTERNAL';

export const errorCodes = {
  VALIDATION_FAILED: { category: 'VALIDATION', message: 'The input is invalid' },
  INVALID_QUERY: { category: 'VALIDATION', message: 'The GraphQL operation is invalid' },
  QUERY_TOO_COSTLY: {
    category: 'VALIDATION',
    message: 'The query asks for too much at once; ask for fewer items (first) or fewer fields',
  },
  QUERY_TOO_DEEP: { category: 'VALIDATION', message: 'The query nests selections too deeply' },
  REQUEST_TOO_LARGE: {
    category: 'VALIDATION',
    message: 'The request body is larger than the server accepts',
  },
  PIPELINE_NOT_FOUND: { category: 'NOT_FOUND', message: 'No pipeline has this id' },
  PIPELINE_ALREADY_EXISTS: { category: 'CONFLICT', message: 'A pipeline with this id already exists' },
  PIPELINE_ALREADY_ACTIVE: { category: 'CONFLICT', message: 'The pipeline is already active' },
  PIPELINE_ARCHIVED: { category: 'CONFLICT', message: 'The pipeline is archived; it can only be read' },
  PIPELINE_NOT_PAUSED: { category: 'CONFLICT', message: 'Only a paused pipeline can be resumed' },
  PIPELINE_VERSION_NOT_FOUND: { category: 'NOT_FOUND', message: 'The pipeline has no such version' },
  PIPELINE_VERSION_NOT_PUBLISHED: {
    category: 'CONFLICT',
    message: 'The pipeline version was never published',
  },
  PIPELINE_VERSION_ALREADY_PUBLISHED: {
    category: 'CONFLICT',
    message: 'The pipeline version was published before; roll back to it instead',
  },
  RUN_NOT_FOUND: { category: 'NOT_FOUND', message: 'No run has this id' },
  RUN_ALREADY_EXISTS: { category: 'CONFLICT', message: 'A run with this id already exists' },
  RUN_ALREADY_STARTED: { category: 'CONFLICT', message: 'The run has already started' },
  RUN_NOT_RUNNING: { category: 'CONFLICT', message: 'The run is not running' },
  RUN_ALREADY_FINISHED: { category: 'CONFLICT', message: 'The run has already finished' },
  RUN_RECORDS_IN_FLIGHT: {
    category: 'CONFLICT',
    message: 'The run still has records in flight; record its final progress first',
  },
  ALERT_RULE_NOT_FOUND: { category: 'NOT_FOUND', message: 'No alert rule has this id' },
  ALERT_RULE_ALREADY_EXISTS: { category: 'CONFLICT', message: 'An alert rule with this id already exists' },
  ALERT_NOT_FOUND: { category: 'NOT_FOUND', message: 'No alert has this id' },
  ALERT_ALREADY_EXISTS: { category: 'CONFLICT', message: 'An alert with this id already exists' },
  ALERT_ALREADY_ACKNOWLEDGED: { category: 'CONFLICT', message: 'The alert is already acknowledged' },
  ALERT_ALREADY_RESOLVED: { category: 'CONFLICT', message: 'The alert is already resolved' },
  ALERT_SILENCED: { category: 'CONFLICT', message: 'The alert is silenced' },
  NOTIFICATION_CHANNEL_NOT_FOUND: { category: 'NOT_FOUND', message: 'No notification channel has this id' },
  NOTIFICATION_CHANNEL_ALREADY_EXISTS: {
    category: 'CONFLICT',
    message: 'A notification channel with this id already exists',
  },
  NOTIFICATION_CHANNEL_DELETED: {
    category: 'NOT_FOUND',
    message: 'The notification channel has been deleted',
  },
  USER_NOT_FOUND: { category: 'NOT_FOUND', message: 'No user has this id' },
  USER_ALREADY_EXISTS: { category: 'CONFLICT', message: 'A user with this id already exists' },
  USER_DEACTIVATED: { category: 'CONFLICT', message: 'The user is deactivated' },
  USER_LOCKED: {
    category: 'UNAUTHENTICATED',
    message: 'The account is locked after too many failed logins; try again later',
  },
  INVITATION_PENDING: { category: 'CONFLICT', message: 'The user has not accepted the invitation yet' },
  INVITATION_ALREADY_ACCEPTED: { category: 'CONFLICT', message: 'The invitation has already been accepted' },
  EMAIL_ALREADY_VERIFIED: { category: 'CONFLICT', message: 'The e-mail address is already verified' },
  INVALID_TOKEN: { category: 'UNAUTHENTICATED', message: 'The token is not valid' },
  TOKEN_EXPIRED: { category: 'UNAUTHENTICATED', message: 'The token has expired; ask for a new one' },
  TOTP_REQUIRED: {
    category: 'UNAUTHENTICATED',
    message: 'The account has a second factor: send the code from the authenticator app as totpCode',
  },
  INVALID_CREDENTIALS: { category: 'UNAUTHENTICATED', message: 'The e-mail address or password is wrong' },
  SESSION_REVOKED: {
    category: 'UNAUTHENTICATED',
    message: 'The session has ended; sign in again',
  },
  TOTP_ALREADY_ENABLED: {
    category: 'CONFLICT',
    message: 'The second factor is already on; disable it first',
  },
  TOTP_NOT_ENROLLED: { category: 'CONFLICT', message: 'Start a TOTP enrollment before confirming it' },
  INVALID_TOTP_CODE: { category: 'VALIDATION', message: 'The authenticator code is not valid' },
  SESSION_ALREADY_EXISTS: { category: 'CONFLICT', message: 'A session with this id already exists' },
  API_KEY_NOT_FOUND: { category: 'NOT_FOUND', message: 'The user has no API key with this id' },
  API_KEY_ALREADY_EXISTS: { category: 'CONFLICT', message: 'An API key with this id already exists' },
  CONNECTOR_NOT_FOUND: { category: 'NOT_FOUND', message: 'No connector has this id' },
  CONNECTOR_ALREADY_EXISTS: { category: 'CONFLICT', message: 'A connector with this id already exists' },
  CONNECTOR_DELETED: { category: 'NOT_FOUND', message: 'The connector has been deleted' },
  SECRETS_NOT_CONFIGURED: {
    category: 'VALIDATION',
    message: 'The connector has secret fields, and no key is configured to encrypt them: set SECRETS_KEYS',
  },
  CONCURRENCY_CONFLICT: {
    category: 'CONFLICT',
    message: 'The stream changed since it was read; retry the command',
  },
  PROJECTION_NOT_FOUND: { category: 'NOT_FOUND', message: 'No projection has this name' },
  PROJECTION_NOT_FAILED: {
    category: 'CONFLICT',
    message: 'The projection has not failed; there is nothing to resume',
  },
  PROJECTION_REBUILD_IN_PROGRESS: {
    category: 'CONFLICT',
    message: 'The projection is already being rebuilt',
  },
  RATE_LIMITED: {
    category: 'UNAVAILABLE',
    message: 'Too many requests; retry after the time Retry-After gives',
  },
  LOG_UNAVAILABLE: {
    category: 'UNAVAILABLE',
    message:
      'This API instance has no access to the log; replay dead letters with `tributary dlq replay` or from an instance that has it',
  },
  PIPELINE_SOURCE_NOT_A_TOPIC: {
    category: 'CONFLICT',
    message: 'The pipeline reads a connector, not a topic; records cannot be replayed to its source',
  },
  CONSISTENCY_TIMEOUT: {
    category: 'UNAVAILABLE',
    message: 'The read models did not catch up with the requested position in time; retry later',
  },
  FORBIDDEN: { category: 'FORBIDDEN', message: 'Your role does not allow this action' },
  UNAUTHENTICATED: {
    category: 'UNAUTHENTICATED',
    message: 'Sign in first: this action needs an account or an API key',
  },
  MAIL_NOT_CONFIGURED: {
    category: 'UNAVAILABLE',
    message: 'This platform cannot send e-mail: its operator has not set MAIL_SMTP_URL',
  },
  MAIL_NOT_SENT: {
    category: 'UNAVAILABLE',
    message: 'The mail server did not take the message; ask again in a moment',
  },
  INTERNAL_ERROR: { category: 'INTERNAL', message: 'Something went wrong on our side' },
} as const satisfies Record<string, { category: ErrorCategory; message: string }>;

export type ErrorCode = keyof typeof errorCodes;

/** One problem with an input, located by a path such as `steps[2].map.rename`. */
export interface FieldProblem {
  path: string;
  message: string;
}

export class TributaryError extends Error {
  readonly code: ErrorCode;
  readonly category: ErrorCategory;
  readonly problems: readonly FieldProblem[];

  constructor(
    code: ErrorCode,
    options: { message?: string; problems?: FieldProblem[]; cause?: unknown } = {},
  ) {
    super(options.message ?? errorCodes[code].message, { cause: options.cause });
    this.name = 'TributaryError';
    this.code = code;
    this.category = errorCodes[code].category;
    this.problems = options.problems ?? [];
  }
}

/** Thrown for an input with one or more problems, each naming its field. */
export class ValidationError extends TributaryError {
  constructor(problems: FieldProblem[]) {
    super('VALIDATION_FAILED', {
      message: `Invalid input: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`,
      problems,
    });
    this.name = 'ValidationError';
  }
}

export const isTributaryError = (error: unknown): error is TributaryError => error instanceof TributaryError;
