import { describe, expect, it } from 'vitest';
import { pipelineDecider } from '../../../src/domain/pipelines/pipeline.js';
import {
  DEFAULT_RETRY_POLICY,
  type PipelineDefinition,
} from '../../../src/domain/pipelines/pipelineDefinition.js';
import { given } from '../deciderSpec.js';
import { create, created, definition, problemsWith } from './pipelineFixtures.js';

const retry = (parts: Record<string, unknown>) => ({ ...DEFAULT_RETRY_POLICY, ...parts });

describe('delivery and retry', () => {
  it('accepts a definition without either, as versions saved before they existed are', () => {
    expect(problemsWith({})).toEqual([]);
    given(pipelineDecider, [])
      .when(create())
      .thenEvents([{ type: 'PipelineCreated', data: created.data }]);
  });

  it('takes null for absent, as an Avro reader gives the optional fields of an older version', () => {
    expect(
      problemsWith({
        source: { topic: 'orders.raw', format: 'json', schema: null },
        sink: { topic: 'orders.clean', format: null, schema: null },
        delivery: null,
        retry: null,
      }),
    ).toEqual([]);
  });

  it('accepts both guarantees, the default policy and the bounds of each limit', () => {
    for (const delivery of ['at-least-once', 'exactly-once']) {
      expect(problemsWith({ delivery, retry: DEFAULT_RETRY_POLICY }), delivery).toEqual([]);
    }
    expect(problemsWith({ retry: { maxAttempts: 1, backoffMs: 0, maxBackoffMs: 0 } })).toEqual([]);
    expect(problemsWith({ retry: { maxAttempts: 20, backoffMs: 60_000, maxBackoffMs: 600_000 } })).toEqual(
      [],
    );
    const exactlyOnce: PipelineDefinition = {
      ...definition,
      delivery: 'exactly-once',
      retry: DEFAULT_RETRY_POLICY,
    };
    given(pipelineDecider, [])
      .when(create({ definition: exactlyOnce }))
      .thenEvents([{ type: 'PipelineCreated', data: { ...created.data, definition: exactlyOnce } }]);
  });

  it('rejects a guarantee it does not offer', () => {
    expect(problemsWith({ delivery: 'at-most-once' })).toEqual([
      { path: 'delivery', message: 'must be one of: at-least-once, exactly-once' },
    ]);
  });

  it('rejects each limit out of its range, at its own path', () => {
    expect(
      problemsWith({ retry: retry({ maxAttempts: 0, backoffMs: 60_001, maxBackoffMs: 600_001 }) }),
    ).toEqual([
      { path: 'retry.maxAttempts', message: 'must be a whole number of attempts from 1 to 20' },
      { path: 'retry.backoffMs', message: 'must be a whole number of milliseconds from 0 to 60000' },
      { path: 'retry.maxBackoffMs', message: 'must be a whole number of milliseconds from 0 to 600000' },
    ]);
    expect(problemsWith({ retry: retry({ maxAttempts: 21 }) }).map((p) => p.path)).toEqual([
      'retry.maxAttempts',
    ]);
    expect(problemsWith({ retry: retry({ backoffMs: 1.5 }) }).map((p) => p.path)).toEqual([
      'retry.backoffMs',
    ]);
    expect(problemsWith({ retry: 'fast' }).map((p) => p.path)).toEqual(['retry']);
  });

  it('rejects a longest wait shorter than the first, since waits only grow', () => {
    expect(problemsWith({ retry: retry({ backoffMs: 1_000, maxBackoffMs: 500 }) })).toEqual([
      { path: 'retry.maxBackoffMs', message: 'must be at least backoffMs (1000)' },
    ]);
  });
});
