import { type FieldProblem, TributaryError, ValidationError } from '../../errors.js';
import { assertNever, type Decider } from '../decider.js';
import { type PipelineState, publishedVersionsOf } from '../pipelines/pipeline.js';
import { inFlightOf, type RunCounts, type RunProgress, validateRunProgress } from './runProgress.js';
import { normalizeStartFrom, type RunStartFrom, validateStartFrom } from './runStartFrom.js';

export type { RunCounts, RunLatency, RunProgress } from './runProgress.js';
export type { RunStartFrom } from './runStartFrom.js';

/** A batch run ends when its bounded source is drained; a streaming run lasts until stopped. */
export type RunKind = 'batch' | 'streaming';

/** What a run request must know of its pipeline; the caller reads it with `pipelineFactsOf`. */
export interface PipelineFacts {
  status: PipelineState['status'];
  publishedVersions: readonly number[];
}

export const pipelineFactsOf = (state: PipelineState): PipelineFacts => ({
  status: state.status,
  publishedVersions: publishedVersionsOf(state),
});

export type RunCommand =
  | {
      type: 'RequestRun';
      data: {
        runId: string;
        pipelineId: string;
        version: number;
        kind: RunKind;
        requestedAt: string;
        pipeline: PipelineFacts;
        /** Batch runs only; from the earliest record when absent. */
        startFrom?: RunStartFrom;
      };
    }
  | { type: 'StartRun'; data: { runId: string; startedAt: string } }
  | { type: 'RecordRunProgress'; data: RunProgress & { runId: string; recordedAt: string } }
  | { type: 'CompleteRun'; data: { runId: string; completedAt: string } }
  | { type: 'FailRun'; data: { runId: string; reason: string; failedAt: string } }
  | { type: 'CancelRun'; data: { runId: string; cancelledAt: string } };

export type RunEvent =
  | {
      type: 'RunRequested';
      data: {
        runId: string;
        pipelineId: string;
        version: number;
        kind: RunKind;
        requestedAt: string;
        /** Absent for a run from the earliest record (and in every run requested before it existed). */
        startFrom?: RunStartFrom;
      };
    }
  | { type: 'RunStarted'; data: { runId: string; startedAt: string } }
  | {
      type: 'RunProgressRecorded';
      data: RunProgress & { runId: string; inFlight: number; recordedAt: string };
    }
  | { type: 'RunCompleted'; data: { runId: string; completedAt: string } }
  | { type: 'RunFailed'; data: { runId: string; reason: string; failedAt: string } }
  | { type: 'RunCancelled'; data: { runId: string; cancelledAt: string } };

/** Every RunEvent type, for code that must cover them all (schemas, upcasters); a type test keeps it whole. */
export const runEventTypes = [
  'RunRequested',
  'RunStarted',
  'RunProgressRecorded',
  'RunCompleted',
  'RunFailed',
  'RunCancelled',
] as const satisfies readonly RunEvent['type'][];

export type RunStatus = 'requested' | 'running' | 'completed' | 'failed' | 'cancelled';

export type RunState =
  | { status: 'none' }
  | {
      status: RunStatus;
      runId: string;
      pipelineId: string;
      version: number;
      kind: RunKind;
      /** Where a batch run starts reading; null for the earliest record. */
      startFrom: RunStartFrom | null;
      /** The latest progress recorded, with its records in flight; null before the first. */
      progress: (RunProgress & { inFlight: number }) | null;
    };

type ExistingRunState = Exclude<RunState, { status: 'none' }>;

export const runStreamId = (runId: string): string => `run-${runId}`;

const RUN_KINDS: readonly string[] = ['batch', 'streaming'];
const FINISHED: readonly RunStatus[] = ['completed', 'failed', 'cancelled'];
const MAX_REASON_LENGTH = 1000;

const assertUnfinished = (state: RunState): ExistingRunState => {
  if (state.status === 'none') throw new TributaryError('RUN_NOT_FOUND');
  if (FINISHED.includes(state.status)) {
    throw new TributaryError('RUN_ALREADY_FINISHED', {
      message: `The run has already finished: it is ${state.status}`,
    });
  }
  return state;
};

const assertRunning = (state: RunState): ExistingRunState => {
  const run = assertUnfinished(state);
  if (run.status !== 'running') {
    throw new TributaryError('RUN_NOT_RUNNING', { message: `The run is ${run.status}, not running` });
  }
  return run;
};

const assertRunnable = (data: Extract<RunCommand, { type: 'RequestRun' }>['data']) => {
  const problems: FieldProblem[] = [];
  if (!RUN_KINDS.includes(data.kind)) {
    problems.push({ path: 'kind', message: `must be one of: ${RUN_KINDS.join(', ')}` });
  }
  if (!Number.isInteger(data.version) || data.version < 1) {
    problems.push({ path: 'version', message: 'must be a version number, from 1' });
  }
  problems.push(...validateStartFrom(data.startFrom, data.kind));
  if (problems.length > 0) throw new ValidationError(problems);
  const { status, publishedVersions } = data.pipeline;
  if (status === 'none') throw new TributaryError('PIPELINE_NOT_FOUND');
  if (status === 'archived') throw new TributaryError('PIPELINE_ARCHIVED');
  if (!publishedVersions.includes(data.version)) {
    throw new TributaryError('PIPELINE_VERSION_NOT_PUBLISHED', {
      message: `Version ${data.version} of the pipeline is not published; only a published version can run`,
    });
  }
};

const decide = (command: RunCommand, state: RunState): RunEvent[] => {
  switch (command.type) {
    case 'RequestRun': {
      if (state.status !== 'none') throw new TributaryError('RUN_ALREADY_EXISTS');
      assertRunnable(command.data);
      const { runId, pipelineId, version, kind, requestedAt, startFrom } = command.data;
      return [
        {
          type: 'RunRequested',
          data: {
            runId,
            pipelineId,
            version,
            kind,
            requestedAt,
            ...(startFrom && { startFrom: normalizeStartFrom(startFrom) }),
          },
        },
      ];
    }
    case 'StartRun': {
      const run = assertUnfinished(state);
      if (run.status === 'running') throw new TributaryError('RUN_ALREADY_STARTED');
      const { runId, startedAt } = command.data;
      return [{ type: 'RunStarted', data: { runId, startedAt } }];
    }
    case 'RecordRunProgress': {
      const run = assertRunning(state);
      const { runId, counts, lag, checkpoint, recordedAt, latency } = command.data;
      const problems = validateRunProgress(command.data, run.progress?.counts ?? null);
      if (problems.length > 0) throw new ValidationError(problems);
      const { in: received, out, filtered, failed, dlq } = counts;
      const recorded: RunCounts = { in: received, out, filtered, failed, dlq };
      return [
        {
          type: 'RunProgressRecorded',
          data: {
            runId,
            counts: recorded,
            inFlight: inFlightOf(recorded),
            lag,
            checkpoint,
            recordedAt,
            ...(latency && { latency: { avgMs: latency.avgMs, maxMs: latency.maxMs } }),
          },
        },
      ];
    }
    case 'CompleteRun': {
      const run = assertRunning(state);
      // Completing with records unaccounted for would hide lost records: the processor records
      // its final progress first, so that in = out + filtered + dlq holds exactly.
      const inFlight = run.progress?.inFlight ?? 0;
      if (inFlight > 0) {
        throw new TributaryError('RUN_RECORDS_IN_FLIGHT', {
          message: `The run still has ${inFlight} records in flight; record its final progress first`,
        });
      }
      const { runId, completedAt } = command.data;
      return [{ type: 'RunCompleted', data: { runId, completedAt } }];
    }
    case 'FailRun': {
      assertUnfinished(state);
      const { runId, failedAt } = command.data;
      const reason = typeof command.data.reason === 'string' ? command.data.reason.trim() : '';
      if (reason.length === 0 || reason.length > MAX_REASON_LENGTH) {
        throw new ValidationError([
          { path: 'reason', message: `must be 1 to ${MAX_REASON_LENGTH} characters` },
        ]);
      }
      return [{ type: 'RunFailed', data: { runId, reason, failedAt } }];
    }
    case 'CancelRun': {
      assertUnfinished(state);
      const { runId, cancelledAt } = command.data;
      return [{ type: 'RunCancelled', data: { runId, cancelledAt } }];
    }
    default:
      return assertNever(command);
  }
};

const evolve = (state: RunState, event: RunEvent): RunState => {
  if (event.type === 'RunRequested') {
    const { runId, pipelineId, version, kind, startFrom } = event.data;
    // An event read back through Avro has null where the field was left out.
    return {
      status: 'requested',
      runId,
      pipelineId,
      version,
      kind,
      startFrom: startFrom ?? null,
      progress: null,
    };
  }
  if (state.status === 'none') return state;
  switch (event.type) {
    case 'RunStarted':
      return { ...state, status: 'running' };
    case 'RunProgressRecorded': {
      const { counts, inFlight, lag, checkpoint } = event.data;
      return { ...state, progress: { counts, inFlight, lag, checkpoint } };
    }
    case 'RunCompleted':
      return { ...state, status: 'completed' };
    case 'RunFailed':
      return { ...state, status: 'failed' };
    case 'RunCancelled':
      return { ...state, status: 'cancelled' };
    default:
      return assertNever(event);
  }
};

export const runDecider: Decider<RunCommand, RunEvent, RunState> = {
  initialState: { status: 'none' },
  decide,
  evolve,
};
