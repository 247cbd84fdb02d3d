import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../../../src/domain/runs/run.js';
import type { RecordedEvent } from '../../../src/infra/eventstore/eventStore.js';
import { foldRunEvents, type MetricsRun } from '../../../src/projections/metrics/metricDeltas.js';

let position = 0;
const recorded = (event: RunEvent) =>
  ({
    ...event,
    id: `e-${++position}`,
    streamId: `run-${event.data.runId}`,
    revision: 0,
    position,
    metadata: {},
    recordedAt: new Date(0),
  }) as RecordedEvent & RunEvent;
const requested = (runId: string) =>
  recorded({
    type: 'RunRequested',
    data: {
      runId,
      pipelineId: 'p-1',
      version: 1,
      kind: 'streaming',
      requestedAt: '2026-01-01T00:00:00.000Z',
    },
  });
const progress = (runId: string, n: number, latency?: { avgMs: number; maxMs: number }) =>
  recorded({
    type: 'RunProgressRecorded',
    data: {
      runId,
      counts: { in: n, out: n, filtered: 0, failed: 0, dlq: 0 },
      inFlight: 0,
      lag: 0,
      checkpoint: {},
      recordedAt: '2026-01-01T00:00:05.000Z',
      ...(latency && { latency }),
    },
  });

describe('run progress into metric deltas', () => {
  it('gives the difference from the run’s previous report, the first report whole', () => {
    const runs = new Map<string, MetricsRun>();
    const { deltas } = foldRunEvents(runs, [requested('r-1'), progress('r-1', 10), progress('r-1', 25)]);
    expect(deltas.map((delta) => delta.counts.in)).toEqual([10, 15]);
    expect(runs.get('r-1')?.counts).toEqual({ in: 25, out: 25, failed: 0, dlq: 0 });
  });

  it('yields nothing for an event at or before the run’s last position, as on redelivery', () => {
    const runs = new Map<string, MetricsRun>();
    const events = [requested('r-2'), progress('r-2', 10)];
    foldRunEvents(runs, events);
    expect(foldRunEvents(runs, events).deltas).toEqual([]);
  });

  it('weights a report’s latency by the records that went out since the previous one, at least 1', () => {
    const runs = new Map<string, MetricsRun>();
    const { deltas } = foldRunEvents(runs, [
      requested('r-3'),
      progress('r-3', 8, { avgMs: 5, maxMs: 9 }),
      progress('r-3', 8, { avgMs: 7, maxMs: 7 }),
    ]);
    expect(deltas.map((delta) => delta.latency)).toEqual([
      { avgMs: 5, maxMs: 9, weight: 8 },
      { avgMs: 7, maxMs: 7, weight: 1 },
    ]);
  });
});
