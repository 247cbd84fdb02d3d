import type { FilterStep } from '../../domain/pipelines/pipelineDefinition.js';
import { celErrorSummary, compileCelExpression } from './celExpression.js';
import { type CompiledStep, syncStep } from './compiledStep.js';
import { StepFailure, type StepLocation, showValue } from './stepFailure.js';

/**
 * Keeps a record when the condition is true and drops it (null) when false. A condition that
 * errs for a record (a missing field, a wrong type) or is not a boolean fails that record:
 * dropping it silently would hide a broken expression behind a "filtered" count.
 */
export const compileFilterStep = (step: FilterStep, at: StepLocation): CompiledStep => {
  const program = compileCelExpression(step.expr);
  return syncStep((record) => {
    let keep: unknown;
    try {
      keep = program(record);
    } catch (error) {
      throw new StepFailure(at, `${step.expr}: ${celErrorSummary(error)}`, { cause: error });
    }
    if (keep === true) return record;
    if (keep === false) return null;
    throw new StepFailure(at, `${step.expr} gave ${showValue(keep)}, not true or false`);
  });
};
