import type {
  PipelineDefinition,
  PipelineSink,
  PipelineSource,
  RecordFormat,
  Step,
} from '../../domain/pipelines/pipelineDefinition.js';
import { type FieldProblem, ValidationError } from '../../errors.js';

export interface SourceInput {
  topic?: string | null;
  format?: RecordFormat | null;
  connectorId?: string | null;
}

export interface SinkInput {
  topic?: string | null;
  connectorId?: string | null;
}

export interface StepInput {
  map?: { rename?: { from: string; to: string }[] | null; drop?: string[] | null } | null;
  filter?: { expr: string } | null;
}

export interface DefinitionInput {
  source: SourceInput;
  steps: StepInput[];
  sink: SinkInput;
}

export interface CreatePipelineInput extends DefinitionInput {
  name: string;
}

// A connector end passes on whatever else was set, so the domain names the conflict.
export const toSource = (input: SourceInput): PipelineSource => {
  const { topic, format, connectorId } = input;
  if (connectorId != null) {
    return {
      connectorId,
      ...(topic != null && { topic }),
      ...(format != null && { format }),
    } as PipelineSource;
  }
  return { topic: topic as string, format: format ?? 'json' };
};

export const toSink = (input: SinkInput): PipelineSink => {
  const { topic, connectorId } = input;
  if (connectorId != null) return { connectorId, ...(topic != null && { topic }) } as PipelineSink;
  return { topic: topic as string };
};

/**
 * Turns GraphQL step input into the domain's steps. Only what GraphQL's types cannot say is
 * checked here (one kind per step, a field renamed twice); the domain validates the rest.
 */
export const toSteps = (input: readonly StepInput[]): Step[] => {
  const problems: FieldProblem[] = [];
  const steps = input.map((step, index): Step => {
    const kinds = Object.entries(step).filter(([, value]) => value != null);
    if (kinds.length !== 1) {
      problems.push({ path: `steps[${index}]`, message: 'set exactly one step kind: map or filter' });
    }
    if (step.filter) return { kind: 'filter', expr: step.filter.expr };
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
  return steps;
};

export const toPipelineDefinition = (input: DefinitionInput): PipelineDefinition => ({
  source: toSource(input.source),
  steps: toSteps(input.steps),
  sink: toSink(input.sink),
});
