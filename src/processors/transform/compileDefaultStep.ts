import type { DefaultStep } from '../../domain/pipelines/pipelineDefinition.js';
import { type CompiledStep, syncStep } from './compiledStep.js';

/**
 * Sets each field the record lacks or holds as null. An object or array default is copied
 * for every record it goes into, so no two records share (and could change) one value.
 */
export const compileDefaultStep = (step: DefaultStep): CompiledStep => {
  const defaults = Object.entries(step.values).map(([field, value]) => ({
    field,
    value,
    copy: typeof value === 'object' && value !== null,
  }));
  return syncStep((record) => {
    let out: typeof record | undefined;
    for (const { field, value, copy } of defaults) {
      if (record[field] !== undefined && record[field] !== null) continue;
      out ??= { ...record };
      out[field] = copy ? structuredClone(value) : value;
    }
    return out ?? record;
  });
};
