import type { PipelineState } from '../pipelines/pipeline.js';
import { pipelineFactsOf, type RunCommand, type RunKind, type RunStartFrom } from './run.js';

/**
 * The RequestRun an operator means by "run this pipeline": the version named, else the one the
 * pipeline publishes now, with the facts the decider checks it against. `pipeline` is the
 * pipeline's state as it is now, folded from its stream by the caller.
 */
export const requestRunOf = (
  pipeline: PipelineState,
  request: {
    runId: string;
    pipelineId: string;
    version?: number | null;
    kind: RunKind;
    requestedAt: string;
    startFrom?: RunStartFrom;
  },
): Extract<RunCommand, { type: 'RequestRun' }> => {
  const { version, startFrom, ...rest } = request;
  return {
    type: 'RequestRun',
    data: {
      ...rest,
      // A pipeline that does not exist has no version: 1 lets the decider say it is not found.
      version: version ?? (pipeline.status === 'none' ? 1 : pipeline.version),
      pipeline: pipelineFactsOf(pipeline),
      ...(startFrom && { startFrom }),
    },
  };
};
