import avro from 'avsc';
import type { ValidateStep } from '../../domain/pipelines/pipelineDefinition.js';
import { createAvroJsonValues, describeAvroProblem } from '../formats/avroJsonValues.js';
import { type CompiledStep, syncStep } from './compiledStep.js';
import { StepFailure, type StepLocation } from './stepFailure.js';

/**
 * Passes a record that fits the Avro schema, as a record would be written to an Avro sink:
 * the same JSON shape the Avro encoder takes (bytes as base64, ambiguous unions wrapped).
 * An invalid record fails naming the first field that does not fit.
 */
export const compileValidateStep = (step: ValidateStep, at: StepLocation): CompiledStep => {
  const type = avro.Type.forSchema(JSON.parse(step.schema) as avro.Schema);
  const values = createAvroJsonValues(type);
  return syncStep((record) => {
    const avroValue = values.fromJson(record);
    let first: { path: string; detail: string } | undefined;
    const valid = type.isValid(avroValue, {
      errorHook: (path: string[], found: unknown, expected: avro.Type) => {
        first ??= { path: path.join('.'), detail: describeAvroProblem(found, expected) };
      },
    });
    if (valid) return record;
    const field = first?.path ? { field: first.path } : {};
    throw new StepFailure(at, first?.detail ?? 'does not fit the schema', field);
  });
};
