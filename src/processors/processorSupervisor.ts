import { type PipelineEvent, type PipelineState, pipelineDecider } from '../domain/pipelines/pipeline.js';
import type { EventStore } from '../infra/eventstore/eventStore.js';
import { upcastEvent } from '../infra/eventstore/upcast.js';
import type { Log } from '../infra/log/log.js';
import type { Logger } from '../logger.js';
import { type RunningPipeline, startPipelineProcessor } from './pipelineProcessor.js';

/**
 * Follows pipeline events on the global log and keeps one processor running per active
 * pipeline: activation starts it, pausing stops it. On start it catches up from the first
 * event, so pipelines that were active before a restart run again.
 * Several processes may each run a supervisor: every pipeline is one consumer group, so its
 * partitions are shared between them, not processed twice.
 */
export const startProcessorSupervisor = (options: { eventStore: EventStore; log: Log; logger: Logger }) => {
  const { logger } = options;
  const states = new Map<string, PipelineState>();
  const running = new Map<string, RunningPipeline>();

  const reconcile = async (pipelineId: string) => {
    const state = states.get(pipelineId);
    const current = running.get(pipelineId);
    const wanted = state?.status === 'active' ? state : null;
    if (current && (!wanted || current.version !== wanted.version)) {
      running.delete(pipelineId);
      await current.stop();
      logger.info({ pipelineId }, 'pipeline processor stopped');
    }
    if (wanted && !running.has(pipelineId)) {
      running.set(
        pipelineId,
        await startPipelineProcessor({
          ...options,
          pipelineId,
          version: wanted.version,
          definition: wanted.definition,
        }),
      );
    }
  };

  const subscription = options.eventStore.subscribeToAll({
    // Every event of every pipeline stream: the decider's fold decides what matters.
    filter: { streamPrefixes: ['pipeline-'] },
    onError: (error) => logger.error({ err: error }, 'processor supervisor stopped'),
    onEvents: async (events) => {
      const touched = new Set<string>();
      for (const event of events.map(upcastEvent)) {
        const { pipelineId } = event.data as PipelineEvent['data'];
        const state = states.get(pipelineId) ?? pipelineDecider.initialState;
        states.set(pipelineId, pipelineDecider.evolve(state, event as unknown as PipelineEvent));
        touched.add(pipelineId);
      }
      for (const pipelineId of touched) {
        // One pipeline that cannot start (its topic refused, say) must not stop the others.
        await reconcile(pipelineId).catch((error: unknown) =>
          logger.error({ err: error, pipelineId }, 'pipeline processor could not start or stop'),
        );
      }
    },
  });

  return {
    runningPipelines: () => [...running.keys()],
    async stop() {
      await subscription.stop();
      await Promise.all([...running.values()].map((pipeline) => pipeline.stop()));
      running.clear();
    },
  };
};
