import { describe, expect, it } from 'vitest';
import { pipelineDecider } from '../../../src/domain/pipelines/pipeline.js';
import {
  type PipelineFacts,
  pipelineFactsOf,
  type RunCommand,
  type RunCounts,
  type RunEvent,
  type RunState,
  runDecider,
  runStreamId,
} from '../../../src/domain/runs/run.js';
import { given } from '../deciderSpec.js';
import { created, definitionV2, published, saved } from '../pipelines/pipelineFixtures.js';

const runId = 'r-1';
const at = (minute: number) => `2026-02-01T10:${String(minute).padStart(2, '0')}:00.000Z`;
const livePipeline: PipelineFacts = { status: 'active', publishedVersions: [1, 2] };

const request = (
  overrides: { version?: number; kind?: string; pipeline?: PipelineFacts } = {},
): RunCommand => ({
  type: 'RequestRun',
  data: {
    runId,
    pipelineId: 'p-1',
    version: overrides.version ?? 2,
    kind: (overrides.kind ?? 'batch') as 'batch',
    requestedAt: at(0),
    pipeline: overrides.pipeline ?? livePipeline,
  },
});
const start: RunCommand = { type: 'StartRun', data: { runId, startedAt: at(1) } };
const counts = (c: Partial<RunCounts>): RunCounts => ({
  in: 0,
  out: 0,
  filtered: 0,
  failed: 0,
  dlq: 0,
  ...c,
});
const progress = (
  c: Partial<RunCounts>,
  extra: { lag?: unknown; checkpoint?: unknown; latency?: unknown } = {},
): RunCommand =>
  ({
    type: 'RecordRunProgress',
    data: {
      runId,
      counts: counts(c),
      lag: extra.lag ?? 5,
      checkpoint: extra.checkpoint ?? { 'orders/0': '42' },
      ...(extra.latency !== undefined && { latency: extra.latency }),
      recordedAt: at(2),
    },
  }) as RunCommand;
const complete: RunCommand = { type: 'CompleteRun', data: { runId, completedAt: at(3) } };
const fail = (reason = 'source topic deleted'): RunCommand => ({
  type: 'FailRun',
  data: { runId, reason, failedAt: at(3) },
});
const cancel: RunCommand = { type: 'CancelRun', data: { runId, cancelledAt: at(3) } };

const requested: RunEvent = {
  type: 'RunRequested',
  data: { runId, pipelineId: 'p-1', version: 2, kind: 'batch', requestedAt: at(0) },
};
const started: RunEvent = { type: 'RunStarted', data: { runId, startedAt: at(1) } };
const progressed = (c: Partial<RunCounts>, inFlight: number): RunEvent => ({
  type: 'RunProgressRecorded',
  data: { runId, counts: counts(c), inFlight, lag: 5, checkpoint: { 'orders/0': '42' }, recordedAt: at(2) },
});
const completed: RunEvent = { type: 'RunCompleted', data: { runId, completedAt: at(3) } };
const failed: RunEvent = {
  type: 'RunFailed',
  data: { runId, reason: 'source topic deleted', failedAt: at(3) },
};
const cancelled: RunEvent = { type: 'RunCancelled', data: { runId, cancelledAt: at(3) } };

const fold = (history: RunEvent[]): RunState => history.reduce(runDecider.evolve, runDecider.initialState);

describe('run decider: RequestRun', () => {
  it('requests a run of a published version, batch or streaming', () => {
    given(runDecider, []).when(request()).thenEvents([requested]);
    given(runDecider, [])
      .when(request({ kind: 'streaming', version: 1 }))
      .thenEvents([{ ...requested, data: { ...requested.data, kind: 'streaming', version: 1 } } as RunEvent]);
    expect(runStreamId(runId)).toBe('run-r-1');
  });

  it('learns the published versions from the pipeline state, through pipelineFactsOf', () => {
    const history = [created, saved(2, definitionV2)];
    const state = history.reduce(pipelineDecider.evolve, pipelineDecider.initialState);
    given(runDecider, [])
      .when(request({ pipeline: pipelineFactsOf(state) }))
      .thenThrows('PIPELINE_VERSION_NOT_PUBLISHED');
    const afterPublish = pipelineDecider.evolve(state, published(2));
    given(runDecider, [])
      .when(request({ pipeline: pipelineFactsOf(afterPublish) }))
      .thenEvents([requested]);
  });

  it('refuses a version that is not published, a pipeline that does not exist or is archived', () => {
    given(runDecider, [])
      .when(request({ version: 3 }))
      .thenThrows('PIPELINE_VERSION_NOT_PUBLISHED');
    given(runDecider, [])
      .when(request({ pipeline: { status: 'none', publishedVersions: [] } }))
      .thenThrows('PIPELINE_NOT_FOUND');
    given(runDecider, [])
      .when(request({ pipeline: { status: 'archived', publishedVersions: [1, 2] } }))
      .thenThrows('PIPELINE_ARCHIVED');
  });

  it('rejects an unknown kind and a version that is not a version number, with their paths', () => {
    given(runDecider, [])
      .when(request({ kind: 'forever', version: 1.5 }))
      .thenThrows('VALIDATION_FAILED', ['kind', 'version']);
  });

  it('refuses a run id that is taken', () => {
    given(runDecider, [requested]).when(request()).thenThrows('RUN_ALREADY_EXISTS');
  });
});

describe('run decider: StartRun', () => {
  it('starts a requested run', () => {
    given(runDecider, [requested]).when(start).thenEvents([started]);
  });

  it('refuses a run that does not exist, is running or has finished, naming its status', () => {
    given(runDecider, []).when(start).thenThrows('RUN_NOT_FOUND');
    given(runDecider, [requested, started]).when(start).thenThrows('RUN_ALREADY_STARTED');
    for (const end of [completed, failed, cancelled]) {
      given(runDecider, [requested, started, end]).when(start).thenThrows('RUN_ALREADY_FINISHED');
    }
    expect(() => runDecider.decide(start, fold([requested, cancelled]))).toThrow(
      'The run has already finished: it is cancelled',
    );
  });
});

describe('run decider: RecordRunProgress', () => {
  const running = [requested, started];

  it('records cumulative counts, lag and checkpoint, with the records in flight', () => {
    given(runDecider, running)
      .when(progress({ in: 10, out: 6, filtered: 2, failed: 1, dlq: 1 }))
      .thenEvents([progressed({ in: 10, out: 6, filtered: 2, failed: 1, dlq: 1 }, 1)]);
  });

  it('accepts counts that stay or grow, and lag that shrinks', () => {
    const before = progressed({ in: 10, out: 6, filtered: 2, dlq: 1 }, 1);
    given(runDecider, [...running, before])
      .when(progress({ in: 12, out: 9, filtered: 2, dlq: 1 }, { lag: 0 }))
      .thenEvents([
        {
          type: 'RunProgressRecorded',
          data: {
            runId,
            counts: counts({ in: 12, out: 9, filtered: 2, dlq: 1 }),
            inFlight: 0,
            lag: 0,
            checkpoint: { 'orders/0': '42' },
            recordedAt: at(2),
          },
        },
      ]);
  });

  it('rejects counts that go backwards, naming each one and its values', () => {
    const before = progressed({ in: 10, out: 6, filtered: 2, failed: 3, dlq: 1 }, 1);
    given(runDecider, [...running, before])
      .when(progress({ in: 9, out: 5, filtered: 2, failed: 3, dlq: 1 }))
      .thenThrows('VALIDATION_FAILED', ['counts.in', 'counts.out']);
    expect(() =>
      runDecider.decide(
        progress({ in: 10, out: 4, filtered: 2, failed: 3, dlq: 1 }),
        fold([...running, before]),
      ),
    ).toThrow('counts.out: must not go back from 6 to 4: counts are cumulative');
  });

  it('rejects counts that account for more records than came in', () => {
    given(runDecider, running)
      .when(progress({ in: 10, out: 8, filtered: 2, dlq: 1 }))
      .thenThrows('VALIDATION_FAILED', ['counts']);
    expect(() => runDecider.decide(progress({ in: 10, out: 8, filtered: 2, dlq: 1 }), fold(running))).toThrow(
      'out + filtered + dlq is 11, more than the 10 records that came in',
    );
  });

  it('rejects counts and lag that are not whole numbers of 0 or more, and a malformed checkpoint', () => {
    given(runDecider, running)
      .when(progress({ in: -1, out: 0.5 }, { lag: -3, checkpoint: { 'orders/0': 42 } }))
      .thenThrows('VALIDATION_FAILED', ['counts.in', 'counts.out', 'lag', 'checkpoint.orders/0']);
    given(runDecider, running)
      .when(progress({ in: 1 }, { checkpoint: ['42'] }))
      .thenThrows('VALIDATION_FAILED', ['checkpoint']);
  });

  it('records the latency of the interval, average and maximum, when the report has one', () => {
    const latency = { avgMs: 12.5, maxMs: 40 };
    given(runDecider, running)
      .when(progress({ in: 10, out: 10 }, { latency }))
      .thenEvents([
        {
          type: 'RunProgressRecorded',
          data: {
            runId,
            counts: counts({ in: 10, out: 10 }),
            inFlight: 0,
            lag: 5,
            checkpoint: { 'orders/0': '42' },
            recordedAt: at(2),
            latency,
          },
        },
      ]);
  });

  it('rejects a latency that is negative, not a number, or whose average exceeds its maximum', () => {
    given(runDecider, running)
      .when(progress({ in: 1 }, { latency: { avgMs: -1, maxMs: 'slow' } }))
      .thenThrows('VALIDATION_FAILED', ['latency.avgMs', 'latency.maxMs']);
    given(runDecider, running)
      .when(progress({ in: 1 }, { latency: { avgMs: 50, maxMs: 20 } }))
      .thenThrows('VALIDATION_FAILED', ['latency.avgMs']);
    given(runDecider, running)
      .when(progress({ in: 1 }, { latency: 7 }))
      .thenThrows('VALIDATION_FAILED', ['latency']);
  });

  it('refuses progress unless the run is running, naming its status', () => {
    given(runDecider, [])
      .when(progress({ in: 1 }))
      .thenThrows('RUN_NOT_FOUND');
    given(runDecider, [requested])
      .when(progress({ in: 1 }))
      .thenThrows('RUN_NOT_RUNNING');
    expect(() => runDecider.decide(progress({ in: 1 }), fold([requested]))).toThrow(
      'The run is requested, not running',
    );
    given(runDecider, [...running, failed])
      .when(progress({ in: 1 }))
      .thenThrows('RUN_ALREADY_FINISHED');
  });
});

describe('run decider: CompleteRun, FailRun and CancelRun', () => {
  const running = [requested, started];

  it('completes a running run whose records are all accounted for', () => {
    given(runDecider, running).when(complete).thenEvents([completed]);
    given(runDecider, [...running, progressed({ in: 10, out: 7, filtered: 2, dlq: 1 }, 0)])
      .when(complete)
      .thenEvents([completed]);
  });

  it('refuses to complete while records are in flight, saying how many', () => {
    const history = [...running, progressed({ in: 10, out: 7 }, 3)];
    given(runDecider, history).when(complete).thenThrows('RUN_RECORDS_IN_FLIGHT');
    expect(() => runDecider.decide(complete, fold(history))).toThrow('The run still has 3 records in flight');
  });

  it('refuses to complete a run that has not started or has finished', () => {
    given(runDecider, [requested]).when(complete).thenThrows('RUN_NOT_RUNNING');
    given(runDecider, [...running, completed])
      .when(complete)
      .thenThrows('RUN_ALREADY_FINISHED');
    given(runDecider, []).when(complete).thenThrows('RUN_NOT_FOUND');
  });

  it('fails a requested or running run with its reason, trimmed', () => {
    given(runDecider, running).when(fail('  source topic deleted ')).thenEvents([failed]);
    given(runDecider, [requested]).when(fail()).thenEvents([failed]);
  });

  it('rejects a failure without a reason, or with one over 1000 characters', () => {
    for (const reason of ['', '  ', 'x'.repeat(1001)]) {
      given(runDecider, running).when(fail(reason)).thenThrows('VALIDATION_FAILED', ['reason']);
    }
  });

  it('cancels a requested or running run', () => {
    given(runDecider, [requested]).when(cancel).thenEvents([cancelled]);
    given(runDecider, running).when(cancel).thenEvents([cancelled]);
  });

  it('refuses to fail or cancel a run that does not exist or has finished', () => {
    for (const command of [fail(), cancel]) {
      given(runDecider, []).when(command).thenThrows('RUN_NOT_FOUND');
      for (const end of [completed, failed, cancelled]) {
        given(runDecider, [...running, end])
          .when(command)
          .thenThrows('RUN_ALREADY_FINISHED');
      }
    }
  });
});

describe('run decider: evolve', () => {
  const requestedState: RunState = {
    status: 'requested',
    runId,
    pipelineId: 'p-1',
    version: 2,
    kind: 'batch',
    startFrom: null,
    progress: null,
  };

  it('follows the status from request to its end, keeping the latest progress', () => {
    given(runDecider, []).thenState({ status: 'none' });
    given(runDecider, [requested]).thenState(requestedState);
    given(runDecider, [requested, started]).thenState({ ...requestedState, status: 'running' });
    given(runDecider, [requested, started, progressed({ in: 4, out: 3 }, 1), completed]).thenState({
      ...requestedState,
      status: 'completed',
      progress: { counts: counts({ in: 4, out: 3 }), inFlight: 1, lag: 5, checkpoint: { 'orders/0': '42' } },
    });
    given(runDecider, [requested, failed]).thenState({ ...requestedState, status: 'failed' });
    given(runDecider, [requested, cancelled]).thenState({ ...requestedState, status: 'cancelled' });
  });

  it('ignores events that arrive before the request', () => {
    given(runDecider, [started, completed]).thenState({ status: 'none' });
  });
});
