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
  | 'INTERNAL';

export const errorCodes = {
  VALIDATION_FAILED: { category: 'VALIDATION', message: 'The input is invalid' },
  INVALID_QUERY: { category: 'VALIDATION', message: 'The GraphQL operation is invalid' },
  PIPELINE_NOT_FOUND: { category: 'NOT_FOUND', message: 'No pipeline has this id' },
  PIPELINE_ALREADY_EXISTS: { category: 'CONFLICT', message: 'A pipeline with this id already exists' },
  PIPELINE_ALREADY_ACTIVE: { category: 'CONFLICT', message: 'The pipeline is already active' },
  CONCURRENCY_CONFLICT: {
    category: 'CONFLICT',
    message: 'The stream changed since it was read; retry the command',
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
