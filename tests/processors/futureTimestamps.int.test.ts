import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import type { PipelineDefinition } from '../../src/domain/pipelines/pipelineDefinition.js';
import {
  type BatchOutcome,
  consumerGroupOf,
  startPipelineProcessor,
} from '../../src/processors/pipelineProcessor.js';
import { createTestSchema, dropTestSchema, testServices, uniqueTopic } from '../setup/testServices.js';
import { logsUnderTest } from './logsUnderTest.js';
import { waitUntilCaughtUp } from './reliability/groupLag.js';

const logger = pino({ level: 'silent' });
const embedded = logsUnderTest.find((one) => one.name === 'the embedded log')!;
const schemas: string[] = [];
afterAll(async () => {
  for (const schema of schemas) await dropTestSchema(testServices().databaseUrl, schema);
});

const versions: Record<string, (source: string, sink: string) => PipelineDefinition> = {
  'a filter': (source, sink) => ({
    source: { topic: source, format: 'json' },
    steps: [{ kind: 'filter', expr: 'amount > 0' }],
    sink: { topic: sink, format: 'json' },
  }),
  'an aggregate step': (source, sink) => ({
    source: { topic: source, format: 'json' },
    steps: [
      {
        kind: 'aggregate',
        window: { type: 'tumbling', sizeMs: 1_000 },
        key: 'region',
        measures: [{ name: 'total', fn: 'sum', expression: 'amount' }],
      },
    ],
    sink: { topic: sink, format: 'json' },
  }),
};

describe.each(Object.keys(versions))('a version with %s, fed records stamped in the future', (kind) => {
  it('given a producer whose clock runs an hour ahead, when its records go through, then the latency reported is 0, never negative (a run would refuse it)', async () => {
    const schema = createTestSchema('future_stamps');
    schemas.push(schema);
    const { log, close } = embedded.open(schema);
    try {
      const [source, sink] = [uniqueTopic('ahead'), uniqueTopic('ahead-out')];
      const ahead = Date.now() + 3_600_000;
      await log.produce(
        source,
        [0, 1_500, 3_000].map((offset) => ({
          key: null,
          partition: 0,
          value: Buffer.from(JSON.stringify({ region: 'eu', amount: 5 })),
          timestamp: ahead + offset,
        })),
      );
      const outcomes: BatchOutcome[] = [];
      const pipelineId = randomUUID();
      const processor = await startPipelineProcessor({
        log,
        logger,
        pipelineId,
        version: 1,
        definition: versions[kind]!(source, sink),
        onBatch: (outcome) => outcomes.push(outcome),
      });
      await waitUntilCaughtUp(log, consumerGroupOf(pipelineId), source, 30_000);
      await processor.stop();
      const measured = outcomes.filter((outcome) => outcome.latencyMs.count > 0);
      expect(measured.length).toBeGreaterThan(0);
      for (const { latencyMs } of measured) expect(latencyMs).toMatchObject({ sum: 0, max: 0 });
    } finally {
      await close();
    }
  });
});
