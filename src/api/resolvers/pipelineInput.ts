import type { PipelineDefinition, Step } from '../../domain/pipelines/pipelineDefinition.js';
import { type FieldProblem, ValidationError } from '../../errors.js';

export interface CreatePipelineInput {
  name: string;
  source: { topic: string; format?: 'json' | null };
  steps: { map?: { rename?: { from: string; to: string }[] | null; drop?: string[] | null } | null }[];
  sink: { topic: string };
}

/**
 * Turns GraphQL input into the domain's definition. Only what GraphQL's types cannot say is
 * checked here (one field per step, a field renamed twice); the domain validates the rest.
 */
export const toPipelineDefinition = (input: CreatePipelineInput): PipelineDefinition => {
  const problems: FieldProblem[] = [];
  const steps = input.steps.map((step, index): Step => {
    const kinds = Object.entries(step).filter(([, value]) => value != null);
    if (kinds.length !== 1) {
      problems.push({ path: `steps[${index}]`, message: 'set exactly one step kind (for now: map)' });
    }
    const rename: Record<string, string> = {};
    (step.map?.rename ?? []).forEach(({ from, to }, renameIndex) => {
      if (Object.hasOwn(rename, from)) {
        problems.push({
          path: `steps[${index}].map.rename[${renameIndex}].from`,
          message: `"${from}" is renamed twice`,
        });
      }
      rename[from] = to;
    });
    return { kind: 'map', rename, drop: step.map?.drop ?? [] };
  });
  if (problems.length > 0) throw new ValidationError(problems);
  return {
    source: { topic: input.source.topic, format: input.source.format ?? 'json' },
    steps,
    sink: { topic: input.sink.topic },
  };
};
