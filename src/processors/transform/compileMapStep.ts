import type { MapStep } from '../../domain/pipelines/pipelineDefinition.js';
import { celErrorSummary, compileCelExpression, toJsonValue } from './celExpression.js';
import { type CompiledStep, syncStep } from './compiledStep.js';
import type { JsonRecord } from './jsonRecord.js';
import { StepFailure, type StepLocation } from './stepFailure.js';

/**
 * Renames and drops fields in one pass: fields not named keep their value and order, renamed
 * fields take their new name in place. A renamed field replaces a field that already had the
 * new name when it comes later in the record.
 */
export const renameAndDrop = (
  rename: ReadonlyMap<string, string>,
  drop: ReadonlySet<string>,
): ((record: JsonRecord) => JsonRecord) => {
  // The hot path: an indexed loop over Object.keys, and no lookup in an empty Map or Set.
  const renames = rename.size > 0;
  const drops = drop.size > 0;
  return (record) => {
    const out: JsonRecord = {};
    const fields = Object.keys(record);
    for (let index = 0; index < fields.length; index += 1) {
      const field = fields[index]!;
      if (drops && drop.has(field)) continue;
      out[renames ? (rename.get(field) ?? field) : field] = record[field];
    }
    return out;
  };
};

/**
 * A map step: rename and drop, then `set`. Each computed field is a CEL expression over the
 * incoming record (before this step's renames), so the expressions do not see each other.
 */
export const compileMapStep = (step: MapStep, at: StepLocation): CompiledStep => {
  const reshape = renameAndDrop(new Map(Object.entries(step.rename)), new Set(step.drop));
  const computed = Object.entries(step.set ?? {}).map(([field, expression]) => ({
    field,
    expression,
    program: compileCelExpression(expression),
  }));
  if (computed.length === 0) return syncStep(reshape);
  return syncStep((record) => {
    const out = reshape(record);
    for (const { field, expression, program } of computed) {
      let value: unknown;
      try {
        value = program(record);
      } catch (error) {
        throw new StepFailure(at, `${expression}: ${celErrorSummary(error)}`, { field, cause: error });
      }
      try {
        out[field] = toJsonValue(value);
      } catch (error) {
        throw new StepFailure(at, `${expression} ${(error as Error).message}`, { field, cause: error });
      }
    }
    return out;
  });
};
