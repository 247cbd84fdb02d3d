import type { MapStep } from '../../domain/pipelines/pipelineDefinition.js';
import type { JsonRecord } from './jsonRecord.js';

/**
 * Compiles a map step once per pipeline version into a function over records. Fields not
 * named keep their value and order; renamed fields take their new name in place.
 */
export const compileMapStep = (step: MapStep): ((record: JsonRecord) => JsonRecord) => {
  const rename = new Map(Object.entries(step.rename));
  const drop = new Set(step.drop);
  return (record) => {
    const out: JsonRecord = {};
    for (const field of Object.keys(record)) {
      if (drop.has(field)) continue;
      out[rename.get(field) ?? field] = record[field];
    }
    return out;
  };
};
