import type { FieldProblem } from '../../errors.js';

/**
 * A pipeline version is data: where records come from, the steps that reshape them, where they
 * go. The walking skeleton knows one step kind, `map`, with field renames and drops.
 */
export interface PipelineDefinition {
  source: { topic: string; format: RecordFormat };
  steps: Step[];
  sink: { topic: string };
}

export type RecordFormat = 'json';

export type Step = MapStep;

/**
 * Reshapes a record field by field. `rename` maps an incoming field name to its new name;
 * `drop` lists incoming fields left out. Both name fields of the incoming record, so their
 * order does not matter.
 */
export interface MapStep {
  kind: 'map';
  rename: Record<string, string>;
  drop: string[];
}

// Kafka's own rule for topic names, so a definition valid here is valid on any broker.
const TOPIC_NAME = /^[a-zA-Z0-9._-]{1,249}$/;
const FIELD_NAME = /^[^\s]{1,128}$/;
const SUPPORTED_FORMATS: readonly string[] = ['json'];
const MAX_STEPS = 100;

/** Every problem of a definition, each with the path of its field; empty when it is valid. */
export const validatePipelineDefinition = (definition: PipelineDefinition): FieldProblem[] => {
  const problems: FieldProblem[] = [];
  const topic = (path: string, value: unknown) => {
    if (typeof value !== 'string' || !TOPIC_NAME.test(value)) {
      problems.push({ path, message: 'must be 1 to 249 characters of letters, digits, ".", "_" or "-"' });
    }
  };
  topic('source.topic', definition.source?.topic);
  if (!SUPPORTED_FORMATS.includes(definition.source?.format)) {
    problems.push({ path: 'source.format', message: `must be one of: ${SUPPORTED_FORMATS.join(', ')}` });
  }
  topic('sink.topic', definition.sink?.topic);
  if (definition.source?.topic !== undefined && definition.source.topic === definition.sink?.topic) {
    problems.push({ path: 'sink.topic', message: 'must differ from source.topic, or records would loop' });
  }
  if (!Array.isArray(definition.steps)) {
    problems.push({ path: 'steps', message: 'must be a list of steps' });
    return problems;
  }
  if (definition.steps.length > MAX_STEPS) {
    problems.push({ path: 'steps', message: `must hold at most ${MAX_STEPS} steps` });
  }
  definition.steps.forEach((step, index) => {
    problems.push(...validateStep(step, `steps[${index}]`));
  });
  return problems;
};

const validateStep = (step: Step, path: string): FieldProblem[] => {
  if (step?.kind !== 'map') return [{ path: `${path}.kind`, message: 'must be "map"' }];
  const problems: FieldProblem[] = [];
  const targets = new Map<string, string>();
  for (const [from, to] of Object.entries(step.rename ?? {})) {
    if (!FIELD_NAME.test(from))
      problems.push({ path: `${path}.rename`, message: `"${from}" is not a field name` });
    if (typeof to !== 'string' || !FIELD_NAME.test(to)) {
      problems.push({ path: `${path}.rename.${from}`, message: 'must be a field name without spaces' });
    } else if (targets.has(to)) {
      problems.push({
        path: `${path}.rename.${from}`,
        message: `renames to "${to}", as "${targets.get(to)}" already does`,
      });
    } else {
      targets.set(to, from);
    }
  }
  (step.drop ?? []).forEach((field, index) => {
    if (typeof field !== 'string' || !FIELD_NAME.test(field)) {
      problems.push({ path: `${path}.drop[${index}]`, message: 'must be a field name without spaces' });
    } else if (Object.hasOwn(step.rename ?? {}, field)) {
      problems.push({ path: `${path}.drop[${index}]`, message: `"${field}" is both renamed and dropped` });
    }
  });
  if (Object.keys(step.rename ?? {}).length === 0 && (step.drop ?? []).length === 0) {
    problems.push({ path, message: 'a map step must rename or drop at least one field' });
  }
  return problems;
};
