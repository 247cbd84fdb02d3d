import type { PipelineDefinition, Step } from '../../domain/pipelines/pipelineDefinition.js';
import { type FieldProblem, TributaryError, ValidationError } from '../../errors.js';
import type { EventStore } from '../../infra/eventstore/eventStore.js';
import { definitionOfVersion, loadPipelineState } from './loadPipeline.js';
import { type SinkInput, type SourceInput, toSink, toSource } from './pipelineInput.js';

/** A built-in starting point: steps only, since every team's topics differ. */
export interface PipelineTemplate {
  id: string;
  name: string;
  description: string;
  steps: Step[];
}

/**
 * What `createPipelineFromTemplate` accepts as a template: one of these built-in ones, or the
 * id of any pipeline, whose published version is the template. Built-in ids start with
 * `template.`, so they cannot be mistaken for a pipeline's id (a UUID).
 */
export const builtInPipelineTemplates: readonly PipelineTemplate[] = [
  {
    id: 'template.copy',
    name: 'Copy',
    description: 'Copies every record from the source to the sink unchanged.',
    steps: [],
  },
  {
    id: 'template.drop-card-data',
    name: 'Drop card data',
    description: 'Drops payment card fields (card, cardNumber, cvv) from every record.',
    steps: [{ kind: 'map', rename: {}, drop: ['card', 'cardNumber', 'cvv'] }],
  },
];

/**
 * The definition a new pipeline starts from: the template's (steps, delivery, retry), with the
 * source and sink given in place of the template's own. A built-in template has neither, so
 * both must be given.
 */
export const definitionFromTemplate = async (
  eventStore: EventStore,
  templateId: string,
  overrides: { source?: SourceInput | null; sink?: SinkInput | null },
): Promise<PipelineDefinition> => {
  const builtIn = builtInPipelineTemplates.find((template) => template.id === templateId);
  if (builtIn) {
    const problems: FieldProblem[] = [];
    if (!overrides.source) problems.push({ path: 'source', message: 'the template has no source: give one' });
    if (!overrides.sink) problems.push({ path: 'sink', message: 'the template has no sink: give one' });
    if (!overrides.source || !overrides.sink) throw new ValidationError(problems);
    return { source: toSource(overrides.source), steps: builtIn.steps, sink: toSink(overrides.sink) };
  }
  const state = await loadPipelineState(eventStore, templateId);
  if (state.status === 'none') {
    // A template that is not built in is a pipeline, so the one missing is a pipeline.
    throw new TributaryError('PIPELINE_NOT_FOUND', {
      message: `No built-in template or pipeline has the id "${templateId}"`,
    });
  }
  const { definition } = definitionOfVersion(state, null);
  // Steps, delivery and retry come with the template: only the ends are the new pipeline's own.
  return {
    ...definition,
    source: overrides.source ? toSource(overrides.source) : definition.source,
    sink: overrides.sink ? toSink(overrides.sink) : definition.sink,
  };
};
