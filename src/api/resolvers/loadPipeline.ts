import {
  type PipelineEvent,
  type PipelineState,
  pipelineDecider,
  pipelineStreamId,
} from '../../domain/pipelines/pipeline.js';
import type { PipelineDefinition } from '../../domain/pipelines/pipelineDefinition.js';
import { TributaryError } from '../../errors.js';
import type { EventStore } from '../../infra/eventstore/eventStore.js';
import { upcastEvent } from '../../infra/eventstore/upcast.js';

/**
 * A pipeline's state folded from its stream, for a command that needs another aggregate's
 * facts (a run request, a clone). Read from the event store, not the read model, so a
 * pipeline changed a moment ago is seen as it is now.
 */
export const loadPipelineState = async (
  eventStore: EventStore,
  pipelineId: string,
): Promise<PipelineState> => {
  const events = await eventStore.readStream(pipelineStreamId(pipelineId));
  return events
    .map(upcastEvent)
    .reduce(
      (state, event) => pipelineDecider.evolve(state, event as unknown as PipelineEvent),
      pipelineDecider.initialState,
    );
};

/** The definition of `version` of the pipeline (its published version when null). */
export const definitionOfVersion = (
  state: PipelineState,
  version: number | null | undefined,
): { version: number; definition: PipelineDefinition } => {
  if (state.status === 'none') throw new TributaryError('PIPELINE_NOT_FOUND');
  const wanted = version ?? state.version;
  const found = state.versions.find((v) => v.version === wanted);
  if (!found) {
    throw new TributaryError('PIPELINE_VERSION_NOT_FOUND', {
      message: `The pipeline has no version ${wanted}; its versions are 1 to ${state.versions.length}`,
    });
  }
  return { version: found.version, definition: found.definition };
};
