import { describe, expect, it } from 'vitest';
import { pipelineDecider } from '../../../src/domain/pipelines/pipeline.js';
import { type RunCommand, type RunEvent, runDecider } from '../../../src/domain/runs/run.js';
import { requestRunOf } from '../../../src/domain/runs/runRequest.js';
import { type RunStartFrom, startFromOf } from '../../../src/domain/runs/runStartFrom.js';
import { given } from '../deciderSpec.js';
import { created, definitionV2, published, saved } from '../pipelines/pipelineFixtures.js';

const runId = 'r-1';
const requestedAt = '2026-02-01T10:00:00.000Z';

const request = (startFrom: unknown, kind: 'batch' | 'streaming' = 'batch'): RunCommand => ({
  type: 'RequestRun',
  data: {
    runId,
    pipelineId: 'p-1',
    version: 2,
    kind,
    requestedAt,
    pipeline: { status: 'active', publishedVersions: [1, 2] },
    startFrom: startFrom as RunStartFrom,
  },
});
const requested = (startFrom?: RunStartFrom): RunEvent => ({
  type: 'RunRequested',
  data: { runId, pipelineId: 'p-1', version: 2, kind: 'batch', requestedAt, ...(startFrom && { startFrom }) },
});

describe('run decider: a batch run that starts from a time or an offset', () => {
  it('requests a batch run from an instant, recorded in UTC to the millisecond', () => {
    given(runDecider, [])
      .when(request({ timestamp: '2026-01-31T09:30:00+02:00' }))
      .thenEvents([requested({ timestamp: '2026-01-31T07:30:00.000Z' })]);
    given(runDecider, [])
      .when(request({ timestamp: '2026-01-31T07:30:00.123Z' }))
      .thenEvents([requested({ timestamp: '2026-01-31T07:30:00.123Z' })]);
  });

  it('requests a batch run from an offset, 0 included', () => {
    given(runDecider, [])
      .when(request({ offset: 1_500 }))
      .thenEvents([requested({ offset: 1_500 })]);
    given(runDecider, [])
      .when(request({ offset: 0 }))
      .thenEvents([requested({ offset: 0 })]);
  });

  it('leaves startFrom out of the event when the run starts from the earliest record', () => {
    given(runDecider, []).when(request(undefined)).thenEvents([requested()]);
    given(runDecider, []).when(request(null)).thenEvents([requested()]);
  });

  it('refuses a start for a streaming run, naming startFrom', () => {
    given(runDecider, [])
      .when(request({ offset: 3 }, 'streaming'))
      .thenThrows('VALIDATION_FAILED', ['startFrom']);
    expect(() => runDecider.decide(request({ offset: 3 }, 'streaming'), runDecider.initialState)).toThrow(
      'startFrom: only a batch run can start from a time or an offset',
    );
  });

  it('rejects an instant that is not ISO-8601 or does not exist', () => {
    for (const timestamp of ['yesterday', '2026-01-31', '2026-02-30T10:00:00Z', '1706693400000', 42]) {
      given(runDecider, [])
        .when(request({ timestamp }))
        .thenThrows('VALIDATION_FAILED', ['startFrom.timestamp']);
    }
  });

  it('rejects an offset that is not a whole number of 0 or more', () => {
    for (const offset of [-1, 1.5, '7', Number.MAX_SAFE_INTEGER + 1]) {
      given(runDecider, []).when(request({ offset })).thenThrows('VALIDATION_FAILED', ['startFrom.offset']);
    }
  });

  it('rejects a start that is both, neither or not an object', () => {
    for (const startFrom of [
      { timestamp: '2026-01-31T07:30:00Z', offset: 1 },
      {},
      { at: 1 },
      'earliest',
      [1],
    ]) {
      given(runDecider, []).when(request(startFrom)).thenThrows('VALIDATION_FAILED', ['startFrom']);
    }
  });

  it('lists a bad start with the other problems of the request', () => {
    given(runDecider, [])
      .when({
        ...request({ offset: -1 }),
        data: { ...request({ offset: -1 }).data, version: 0 },
      } as RunCommand)
      .thenThrows('VALIDATION_FAILED', ['version', 'startFrom.offset']);
  });

  it('folds the start into the state, null for the earliest record or an event read back as null', () => {
    const stateOf = (event: RunEvent) => runDecider.evolve(runDecider.initialState, event);
    expect(stateOf(requested({ offset: 7 }))).toMatchObject({
      status: 'requested',
      startFrom: { offset: 7 },
    });
    expect(stateOf(requested())).toMatchObject({ startFrom: null });
    const decodedFromAvro = {
      ...requested(),
      data: { ...requested().data, startFrom: null },
    } as unknown as RunEvent;
    expect(stateOf(decodedFromAvro)).toMatchObject({ startFrom: null });
  });
});

describe('startFromOf: operator input to a start', () => {
  it('takes the one of fromTimestamp and fromOffset that is given, or none', () => {
    expect(startFromOf({ fromTimestamp: '2026-01-31T07:30:00Z' })).toEqual({
      timestamp: '2026-01-31T07:30:00Z',
    });
    expect(startFromOf({ fromOffset: 0, fromTimestamp: null })).toEqual({ offset: 0 });
    expect(startFromOf({ fromTimestamp: null, fromOffset: null })).toBeUndefined();
    expect(startFromOf({})).toBeUndefined();
  });

  it('rejects both, naming each', () => {
    expect(() => startFromOf({ fromTimestamp: '2026-01-31T07:30:00Z', fromOffset: 3 })).toThrow(
      'Invalid input: fromTimestamp: give fromTimestamp or fromOffset, not both; fromOffset: give fromTimestamp or fromOffset, not both',
    );
  });
});

describe('requestRunOf: the run an operator asks for', () => {
  const pipeline = [created, saved(2, definitionV2), published(2)].reduce(
    pipelineDecider.evolve,
    pipelineDecider.initialState,
  );
  const ask = { runId, pipelineId: 'p-1', kind: 'batch' as const, requestedAt };

  it('runs the published version unless one is named, with the pipeline facts', () => {
    expect(requestRunOf(pipeline, ask)).toEqual({
      type: 'RequestRun',
      data: { ...ask, version: 2, pipeline: { status: 'draft', publishedVersions: [1, 2] } },
    });
    expect(requestRunOf(pipeline, { ...ask, version: 1, startFrom: { offset: 4 } }).data).toMatchObject({
      version: 1,
      startFrom: { offset: 4 },
    });
  });

  it('asks for version 1 of a pipeline that does not exist, which the decider refuses as not found', () => {
    const command = requestRunOf(pipelineDecider.initialState, ask);
    expect(command.data.version).toBe(1);
    given(runDecider, []).when(command).thenThrows('PIPELINE_NOT_FOUND');
  });
});
