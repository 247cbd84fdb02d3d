import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { loadPipelineState } from '../api/resolvers/loadPipeline.js';
import { type RunEvent, type RunState, runDecider, runStreamId } from '../domain/runs/run.js';
import { requestRunOf } from '../domain/runs/runRequest.js';
import { type RunStartFrom, validateStartFrom } from '../domain/runs/runStartFrom.js';
import type { EventStore } from '../infra/eventstore/eventStore.js';
import { handleCommand } from '../infra/eventstore/handleCommand.js';
import { upcastEvent } from '../infra/eventstore/upcast.js';
import { progressBar } from './progressBar.js';
import { UsageError } from './usageError.js';
import { withStores } from './withStores.js';

const POLL_MS = 500;
const CLI_ACTOR = 'cli';

/**
 * `tributary replay <pipelineId> [--from <instant> | --from-offset <n>] [--version <n>]
 * [--no-wait]`: requests a batch run of the pipeline's source (its published version unless
 * one is named) and follows it with a progress bar until it ends. The processors do the work
 * (`tributary start processors`, or `dev`); this only writes the request and reads the run.
 */
export const replayCommand = async (args: string[]) => {
  const { positionals, values } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      from: { type: 'string' },
      'from-offset': { type: 'string' },
      version: { type: 'string' },
      'no-wait': { type: 'boolean' },
    },
  });
  const [pipelineId, ...extra] = positionals;
  if (!pipelineId || extra.length > 0) throw new UsageError('replay needs exactly one pipeline id');
  const startFrom = startFromArgs(values.from, values['from-offset']);
  const version = values.version === undefined ? undefined : wholeNumber('--version', values.version, 1);

  await withStores(async ({ eventStore }) => {
    const requestedAt = new Date().toISOString();
    const command = requestRunOf(await loadPipelineState(eventStore, pipelineId), {
      runId: randomUUID(),
      pipelineId,
      version,
      kind: 'batch',
      requestedAt,
      startFrom,
    });
    const { runId } = command.data;
    await handleCommand(eventStore, runDecider, runStreamId(runId), command, {
      actor: CLI_ACTOR,
      occurredAt: requestedAt,
    });
    process.stdout.write(
      `Run ${runId} requested: version ${command.data.version} of ${pipelineId}, ${describeStart(startFrom)}.\n`,
    );
    if (!values['no-wait']) await follow(eventStore, runId);
  });
};

const startFromArgs = (
  from: string | undefined,
  fromOffset: string | undefined,
): RunStartFrom | undefined => {
  if (from !== undefined && fromOffset !== undefined)
    throw new UsageError('give --from or --from-offset, not both');
  if (from !== undefined) {
    const [problem] = validateStartFrom({ timestamp: from }, 'batch');
    if (problem) throw new UsageError(`--from ${problem.message} (got "${from}")`);
    return { timestamp: from };
  }
  if (fromOffset !== undefined) return { offset: wholeNumber('--from-offset', fromOffset, 0) };
  return undefined;
};

const wholeNumber = (option: string, text: string, min: number) => {
  const value = Number(text);
  if (text.trim() === '' || !Number.isSafeInteger(value) || value < min) {
    throw new UsageError(`${option} must be a whole number, ${min} or more (got "${text}")`);
  }
  return value;
};

const describeStart = (startFrom: RunStartFrom | undefined) => {
  if (!startFrom) return 'from the beginning';
  return 'offset' in startFrom
    ? `from offset ${startFrom.offset}`
    : `from ${new Date(startFrom.timestamp).toISOString()}`;
};

/** The run as its stream has it now, and the reason it failed, if it did. */
const readRun = async (eventStore: EventStore, runId: string) => {
  const events = (await eventStore.readStream(runStreamId(runId))).map(
    (recorded) => upcastEvent(recorded) as unknown as RunEvent,
  );
  const state: RunState = events.reduce(runDecider.evolve, runDecider.initialState);
  const failed = events.findLast((event) => event.type === 'RunFailed');
  return { state, reason: failed?.type === 'RunFailed' ? failed.data.reason : null };
};

/**
 * Reads the run's own stream every half second (not the read model, so no projection runner
 * is needed) and draws its progress: records in out of in + lag. Resolves when it completes;
 * throws, so the command exits 1, when it fails or is cancelled.
 */
const follow = async (eventStore: EventStore, runId: string) => {
  const bar = progressBar();
  let previous: { done: number; at: number } | null = null;
  let perSecond = 0;
  let stop = false;
  const interrupt = () => {
    stop = true;
  };
  process.once('SIGINT', interrupt);
  try {
    while (!stop) {
      const { state, reason } = await readRun(eventStore, runId);
      if (state.status === 'none') throw new Error(`run ${runId} is not in the event store`);
      const counts = state.progress?.counts;
      if (state.progress && counts) {
        const now = Date.now();
        if (previous && now > previous.at) {
          perSecond = Math.max(0, ((counts.in - previous.done) * 1000) / (now - previous.at));
        }
        previous = { done: counts.in, at: now };
        const { lag } = state.progress;
        bar.update({
          label: `run ${runId.slice(0, 8)}`,
          done: counts.in,
          total: counts.in + lag,
          perSecond,
          etaSeconds: lag === 0 ? 0 : perSecond > 0 ? lag / perSecond : null,
        });
      }
      if (state.status === 'completed') {
        bar.finish();
        const c = counts ?? { in: 0, out: 0, filtered: 0, failed: 0, dlq: 0 };
        process.stdout.write(
          `Run ${runId} completed: ${c.in} in, ${c.out} out, ${c.filtered} filtered, ${c.dlq} to the DLQ.\n`,
        );
        return;
      }
      if (state.status === 'failed') {
        bar.finish();
        throw new Error(`run ${runId} failed: ${reason ?? 'no reason recorded'}`);
      }
      if (state.status === 'cancelled') {
        bar.finish();
        throw new Error(`run ${runId} was cancelled`);
      }
      await sleep(POLL_MS);
    }
    bar.finish();
    process.stderr.write(`Stopped watching run ${runId}; it goes on.\n`);
  } finally {
    process.removeListener('SIGINT', interrupt);
  }
};
