import type { Step } from '../../domain/pipelines/pipelineDefinition.js';

/** Where a step sits in its version, for the message and the DLQ headers. */
export interface StepLocation {
  index: number;
  kind: Step['kind'];
}

/**
 * A record that a step could not process. `retryable` is false for data errors, which would
 * fail the same way again (a bad cast, an invalid record, a CEL expression that errs on this
 * record): those go to the DLQ at once. It is true for I/O errors of a lookup (Redis or
 * PostgreSQL down, a timeout), which the processor retries under the version's retry policy.
 * The message names the step and, when there is one, the field:
 * `steps[2] cast: field "amount": "abc" is not an int`.
 */
export class StepFailure extends Error {
  readonly stepIndex: number;
  readonly stepKind: string;
  readonly retryable: boolean;
  readonly field?: string;

  constructor(
    at: StepLocation,
    detail: string,
    options: { retryable?: boolean; field?: string; cause?: unknown } = {},
  ) {
    const where = options.field === undefined ? '' : `field "${options.field}": `;
    super(`steps[${at.index}] ${at.kind}: ${where}${detail}`, { cause: options.cause });
    this.name = 'StepFailure';
    this.stepIndex = at.index;
    this.stepKind = at.kind;
    this.retryable = options.retryable ?? false;
    if (options.field !== undefined) this.field = options.field;
  }
}

/** Any error a step threw, as a StepFailure of that step; a bug is a data error, not retried. */
export const asStepFailure = (error: unknown, at: StepLocation): StepFailure =>
  error instanceof StepFailure
    ? error
    : new StepFailure(at, error instanceof Error ? error.message : String(error), { cause: error });

/** A value as a failure message shows it: JSON, cut short. */
export const showValue = (value: unknown): string => {
  let text: string;
  try {
    text = typeof value === 'bigint' ? String(value) : (JSON.stringify(value) ?? String(value));
  } catch {
    text = String(value);
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
};
