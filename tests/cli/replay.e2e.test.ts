import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type PipelineCommand,
  pipelineDecider,
  pipelineStreamId,
} from '../../src/domain/pipelines/pipeline.js';
import { handleCommand } from '../../src/infra/eventstore/handleCommand.js';
import type { Platform } from '../../src/platform.js';
import { startTestPlatform } from '../e2e/testPlatform.js';
import { createTestSchema, dropTestSchema, testServices, uniqueTopic } from '../setup/testServices.js';
import { runCli } from './runCli.js';

// The real processors execute the batch run that `tributary replay` requests and follows.
describe('tributary replay against running processors', () => {
  const { databaseUrl } = testServices();
  const schema = createTestSchema('e2e_cli_replay');
  const source = uniqueTopic('orders');
  const env = { DATABASE_URL: databaseUrl, DATABASE_SCHEMA: schema, LOG_LEVEL: 'warn' };
  let platform: Platform;

  const total = async (topic: string) =>
    [...(await platform.log.endOffsets(topic)).values()].reduce((sum, end) => sum + end, 0);

  beforeAll(async () => {
    // The embedded log in the test schema, which the CLI reaches through the same DATABASE_*.
    platform = await startTestPlatform(schema, { roles: ['processors'], env: { LOG_LEVEL: 'fatal' } });
    const at = new Date().toISOString();
    const create: PipelineCommand = {
      type: 'CreatePipeline',
      data: {
        pipelineId: 'p-e2e',
        name: 'Replayed orders',
        definition: {
          source: { topic: source, format: 'json' },
          steps: [],
          sink: { topic: `${source}.clean` },
        },
        createdAt: at,
      },
    };
    await handleCommand(platform.eventStore, pipelineDecider, pipelineStreamId('p-e2e'), create, {
      actor: 'test',
      occurredAt: at,
    });
    // All on partition 0, so an offset means the same records whatever the partition count.
    await platform.log.produce(
      source,
      [1, 2, 3, 4, 5].map((n) => ({ key: null, value: Buffer.from(JSON.stringify({ n })), partition: 0 })),
    );
  }, 60_000);

  afterAll(async () => {
    await platform?.stop();
    await dropTestSchema(databaseUrl, schema);
  });

  it('runs the whole source to the sink and exits 0 with the counts', async () => {
    const result = await runCli(['replay', 'p-e2e'], env);

    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(
      /^Run (\S+) requested: version 1 of p-e2e, from the beginning\.\nRun \1 completed: 5 in, 5 out, 0 filtered, 0 to the DLQ\.\n$/,
    );
    expect(await total(`${source}.clean`)).toBe(5);
  }, 60_000);

  it('runs from an offset, only the records from there', async () => {
    const result = await runCli(['replay', 'p-e2e', '--from-offset', '3'], env);

    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/completed: 2 in, 2 out, 0 filtered, 0 to the DLQ\.\n$/);
  }, 60_000);
});
