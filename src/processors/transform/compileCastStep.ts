import type { CastStep } from '../../domain/pipelines/pipelineDefinition.js';
import { CastImpossible, castValue } from './castValue.js';
import { type CompiledStep, syncStep } from './compiledStep.js';
import type { JsonRecord } from './jsonRecord.js';
import { StepFailure, type StepLocation, showValue } from './stepFailure.js';

/** Converts the named fields; a missing or null field stays, one that cannot be converted fails. */
export const compileCastStep = (step: CastStep, at: StepLocation): CompiledStep => {
  const fields = Object.entries(step.fields);
  // Each field is read before it is written, and written once, so casting in place reads what a copy would.
  const castInto = (out: JsonRecord, record: JsonRecord) => {
    for (const [field, type] of fields) {
      const value = record[field];
      if (value === undefined || value === null) continue;
      try {
        out[field] = castValue(value, type);
      } catch (error) {
        if (!(error instanceof CastImpossible)) throw error;
        throw new StepFailure(at, `${showValue(value)} ${error.message}`, { field });
      }
    }
    return out;
  };
  return syncStep(
    (record) => castInto({ ...record }, record),
    (record) => castInto(record, record),
  );
};
