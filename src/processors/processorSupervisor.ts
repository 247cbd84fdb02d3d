import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { type PipelineEvent, type PipelineState, pipelineDecider } from '../domain/pipelines/pipeline.js';
import { type RunEvent, type RunState, runDecider } from '../domain/runs/run.js';
import { deterministicId } from '../infra/eventstore/deterministicId.js';
import { upcastEvent } from '../infra/eventstore/upcast.js';
import { executeBatchRun } from './batchRun.js';
import { followPlatformEvents, type PlatformEvent } from './platformEventFeed.js';
import type { ProcessorServices } from './processorServices.js';
import { type StreamingRun, startStreamingRun } from './streamingRun.js';

export interface ProcessorSupervisorOptions extends ProcessorServices {
  /** The main schema: names the locks of batch runs. */
  schema: string;
  /** The relay's topic; `tributary.events` by default. */
  eventsTopic?: string;
}

/** What the supervisor keeps of a pipeline: its state, and the event that made it run as it does. */
interface FollowedPipeline {
  state: PipelineState;
  /** The event that last started the pipeline or changed its running version; names its run. */
  runCause: PlatformEvent | null;
  /** The pipeline's latest event: what a stop is logged with. */
  lastChange: PlatformEvent | null;
}

/**
 * Follows pipeline and run events on `tributary.events` and keeps the processors in step:
 * one streaming run per active pipeline (activation or resumption starts it, pausing ends it,
 * a new published version ends it and starts the next one), and each requested batch run
 * executed once. It catches up from the first event before acting, so after a restart the
 * pipelines that are active run again, continuing their runs.
 * Several processes may each run a supervisor: a pipeline's processors are one consumer group,
 * so its partitions are shared, not processed twice; a batch run is claimed by one process.
 */
export const startProcessorSupervisor = async (options: ProcessorSupervisorOptions) => {
  const { logger } = options;
  const owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const pipelines = new Map<string, FollowedPipeline>();
  const runs = new Map<string, RunState>();
  // The event that requested each run: its correlation id goes on the run's logs.
  const runCauses = new Map<string, PlatformEvent>();
  const running = new Map<string, StreamingRun>();
  const batchRuns = new Map<string, Promise<void>>();
  const finishedHere = new Set<string>();
  let caughtUp = false;
  let stopping = false;
  // Starting and stopping processors happens one change at a time, in the order events came.
  let changes: Promise<void> = Promise.resolve();

  const reconcilePipeline = async (pipelineId: string) => {
    const followed = pipelines.get(pipelineId);
    const state = followed?.state;
    const current = running.get(pipelineId);
    const wanted = state?.status === 'active' && followed?.runCause ? state : null;
    const runId = wanted && followed?.runCause ? streamingRunIdOf(pipelineId, followed.runCause) : null;
    if (current && current.runId !== runId) {
      running.delete(pipelineId);
      // Paused, or another version runs now: this run is over.
      await current.finish();
      logger.info(
        { pipelineId, runId: current.runId, correlationId: correlationIdOf(followed?.lastChange) },
        'pipeline processor stopped, run completed',
      );
    }
    if (wanted && runId && !running.has(pipelineId) && !stopping) {
      // Every line the run logs names the request that started it (activation, new version).
      const runLogger = logger.child({ runId, correlationId: correlationIdOf(followed?.runCause) });
      running.set(
        pipelineId,
        await startStreamingRun({
          ...options,
          logger: runLogger,
          runId,
          pipelineId,
          version: wanted.version,
          state: wanted,
        }),
      );
      runLogger.info({ pipelineId, version: wanted.version }, 'pipeline processor started');
    }
  };

  const startBatchRun = (runId: string) => {
    const run = runs.get(runId);
    // A running one may be orphaned (its executor died): its lock says whether anyone runs it.
    if (
      !run ||
      (run.status !== 'requested' && run.status !== 'running') ||
      run.kind !== 'batch' ||
      batchRuns.has(runId) ||
      finishedHere.has(runId) ||
      stopping
    )
      return;
    const pipeline = pipelines.get(run.pipelineId)?.state;
    // The run's stream and its pipeline's share no partition: the pipeline may come later.
    if (!pipeline || pipeline.status === 'none' || !pipeline.versions[run.version - 1]) return;
    const runLogger = logger.child({ runId, correlationId: correlationIdOf(runCauses.get(runId)) });
    const execution = executeBatchRun({
      ...options,
      logger: runLogger,
      owner,
      run,
      pipeline,
      isStopping: () => stopping,
    })
      // Finished here (or failed): the run's own events will say so; until they arrive, the
      // orphan check must not take it for one.
      .then((outcome) => {
        if (outcome === 'finished') finishedHere.add(runId);
      })
      .catch((error: unknown) => {
        finishedHere.add(runId);
        runLogger.error({ err: error }, 'batch run failed');
      })
      .finally(() => batchRuns.delete(runId));
    batchRuns.set(runId, execution);
  };

  const apply = (event: PlatformEvent) => {
    const upcast = upcastEvent({ ...event, metadata: {}, recordedAt: new Date(0) });
    if (event.streamId.startsWith('pipeline-')) {
      const { pipelineId } = upcast.data as PipelineEvent['data'];
      const followed = pipelines.get(pipelineId) ?? {
        state: pipelineDecider.initialState,
        runCause: null,
        lastChange: null,
      };
      const before = followed.state;
      const after = pipelineDecider.evolve(before, upcast as unknown as PipelineEvent);
      const startsRunning =
        after.status === 'active' &&
        (before.status !== 'active' || (before.status === 'active' && before.version !== after.version));
      pipelines.set(pipelineId, {
        state: after,
        runCause: startsRunning ? event : followed.runCause,
        lastChange: event,
      });
      return { pipelineId };
    }
    const { runId } = upcast.data as RunEvent['data'];
    if (!runCauses.has(runId)) runCauses.set(runId, event);
    runs.set(
      runId,
      runDecider.evolve(runs.get(runId) ?? runDecider.initialState, upcast as unknown as RunEvent),
    );
    return { runId };
  };

  const feed = await followPlatformEvents({
    log: options.log,
    logger,
    topic: options.eventsTopic,
    streamPrefixes: ['pipeline-', 'run-'],
    onEvents: async (events, nowCaughtUp) => {
      const touched = new Set<string>();
      const runsTouched = new Set<string>();
      for (const event of events) {
        const { pipelineId, runId } = apply(event);
        if (pipelineId) touched.add(pipelineId);
        if (runId) runsTouched.add(runId);
      }
      // Before catching up, events only build state: acting on history would start and stop
      // processors for activations long since paused.
      const firstTime = nowCaughtUp && !caughtUp;
      caughtUp = nowCaughtUp;
      if (!caughtUp) return;
      const pipelineIds = firstTime ? [...pipelines.keys()] : [...touched];
      changes = changes.then(async () => {
        for (const pipelineId of pipelineIds) {
          // One pipeline that cannot start (its topic refused, say) must not stop the others.
          await reconcilePipeline(pipelineId).catch((error: unknown) =>
            logger.error({ err: error, pipelineId }, 'pipeline processor could not start or stop'),
          );
        }
        // A batch run waiting for its pipeline's events may be startable now as well.
        for (const runId of firstTime || touched.size > 0 ? [...runs.keys()] : runsTouched)
          startBatchRun(runId);
      });
      await changes;
    },
  });
  logger.info({ owner }, 'processor supervisor following tributary.events');
  // Batch runs whose executor died hold no lock any more; looking now and then finds them.
  const orphans = setInterval(() => {
    if (caughtUp) for (const runId of runs.keys()) startBatchRun(runId);
  }, ORPHAN_CHECK_MS);
  orphans.unref();

  return {
    runningPipelines: () => [...running.keys()],
    async stop() {
      stopping = true;
      clearInterval(orphans);
      await feed.stop();
      await changes;
      // Shutting down ends no run: the next process to start continues them.
      await Promise.all([...running.values()].map((run) => run.stop()));
      running.clear();
      await Promise.all(batchRuns.values());
    },
  };
};

const ORPHAN_CHECK_MS = 10_000;

const correlationIdOf = (event: PlatformEvent | null | undefined) => event?.metadata?.correlationId;

/** The same in every process: the run is named after the event that started it. */
const streamingRunIdOf = (pipelineId: string, cause: PlatformEvent) =>
  deterministicId(`streaming-run/${pipelineId}/${cause.id}`);
