import type { DefaultStep } from '../../domain/pipelines/pipelineDefinition.js';
import { type CompiledStep, syncStep } from './compiledStep.js';
import type { JsonRecord } from './jsonRecord.js';

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
  const isMissing = (record: JsonRecord, field: string) =>
    record[field] === undefined || record[field] === null;
  return syncStep(
    (record) => {
      let out: JsonRecord | undefined;
      for (const { field, value, copy } of defaults) {
        if (!isMissing(record, field)) continue;
        out ??= { ...record };
        out[field] = copy ? structuredClone(value) : value;
      }
      return out ?? record;
    },
    (record) => {
      for (const { field, value, copy } of defaults)
        if (isMissing(record, field)) record[field] = copy ? structuredClone(value) : value;
      return record;
    },
  );
};
