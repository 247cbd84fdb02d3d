import type { ExistingPipelineState } from '../domain/pipelines/pipelineState.js';
import { pipelineFactsOf, type RunCommand } from '../domain/runs/run.js';
import { TributaryError } from '../errors.js';
import { consumerGroupOf, startPipelineProcessor } from './pipelineProcessor.js';
import type { ProcessorServices } from './processorServices.js';
import { createRunTracker } from './runTracker.js';
import { sendRunCommand } from './sendRunCommand.js';

export interface StreamingRun {
  runId: string;
  /** Shutting down: stops processing and records progress; the run goes on in other processes. */
  stop(): Promise<void>;
  /** The pipeline paused or moved to another version: stops processing and completes the run. */
  finish(): Promise<void>;
}

export interface StreamingRunOptions extends ProcessorServices {
  runId: string;
  pipelineId: string;
  version: number;
  state: ExistingPipelineState;
}

/**
 * Runs an active pipeline's published version as a streaming run. Every process that runs the
 * pipeline asks for the same run (its id comes from the event that started the pipeline), so
 * the run is requested and started once, and their counts add up in it.
 */
export const startStreamingRun = async (options: StreamingRunOptions): Promise<StreamingRun> => {
  const { eventStore, logger, runId, pipelineId, version, state } = options;
  const send = (command: RunCommand, commandId: string) =>
    sendRunCommand(eventStore, runId, command, { commandId });
  const at = new Date().toISOString();
  await send(
    {
      type: 'RequestRun',
      data: {
        runId,
        pipelineId,
        version,
        kind: 'streaming',
        requestedAt: at,
        pipeline: pipelineFactsOf(state),
      },
    },
    `${runId}/request`,
  );
  await send({ type: 'StartRun', data: { runId, startedAt: at } }, `${runId}/start`).catch(
    (error: unknown) => {
      // Another process of the run, or this one before a restart, started it already.
      if (!(error instanceof TributaryError) || error.code !== 'RUN_ALREADY_STARTED') throw error;
    },
  );

  const source = state.definition.source;
  const tracker = createRunTracker({
    ...options,
    groupId: consumerGroupOf(pipelineId),
    sourceTopic: 'topic' in source ? source.topic : '',
    intervalMs: options.progressIntervalMs,
  });
  let processor: Awaited<ReturnType<typeof startPipelineProcessor>>;
  try {
    processor = await startPipelineProcessor({
      ...options,
      definition: state.definition,
      onBatch: (outcome) => tracker.add(outcome),
    });
  } catch (error) {
    await tracker.stop().catch(() => undefined);
    const reason = `the processor could not start: ${(error as Error).message}`.slice(0, 1000);
    await send(
      { type: 'FailRun', data: { runId, reason, failedAt: new Date().toISOString() } },
      `${runId}/fail`,
    ).catch((failError: unknown) => logger.warn({ err: failError, runId }, 'run could not be marked failed'));
    throw error;
  }
  return {
    runId,
    async stop() {
      await processor.stop();
      await tracker.stop();
    },
    async finish() {
      await processor.stop();
      await tracker.complete();
    },
  };
};
