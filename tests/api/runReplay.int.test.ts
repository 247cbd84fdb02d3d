import mqemitter from 'mqemitter';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiServices } from '../../src/api/apiServices.js';
import { type Api, buildApi } from '../../src/api/buildApi.js';
import {
  type PipelineCommand,
  pipelineDecider,
  pipelineStreamId,
} from '../../src/domain/pipelines/pipeline.js';
import type { PipelineDefinition } from '../../src/domain/pipelines/pipelineDefinition.js';
import { handleCommand } from '../../src/infra/eventstore/handleCommand.js';
import { createPostgresEventStore } from '../../src/infra/eventstore/postgresEventStore.js';
import { postgresEventStoreMigrations } from '../../src/infra/eventstore/postgresEventStoreMigrations.js';
import { createPostgresLog } from '../../src/infra/log/postgresLog.js';
import { migrate } from '../../src/infra/postgres/migrate.js';
import { createPostgresPool } from '../../src/infra/postgres/postgresPool.js';
import { createLogger } from '../../src/logger.js';
import { deadLetterTopicOf } from '../../src/processors/pipelineProcessor.js';
import { runsProjection } from '../../src/projections/runs/runsProjection.js';
import { createTestSchema, dropTestSchema, testServices } from '../setup/testServices.js';

const { databaseUrl } = testServices();
const schema = createTestSchema('api_run_replay');
const pool = createPostgresPool({ connectionString: databaseUrl, schema, max: 4 });
const eventStore = createPostgresEventStore({ pool, schema });
const log = createPostgresLog({ pool, schema });
const NOW = new Date('2026-03-01T09:00:00.000Z');
let ids = 0;

const services = (extra: Partial<ApiServices> = {}): ApiServices => ({
  pool,
  eventStore,
  newId: () => `run-${++ids}`,
  now: () => NOW,
  secretCipher: null,
  ...extra,
});
const silent = { logger: createLogger({ logLevel: 'silent' }), emitter: mqemitter(), graphiql: false };
let api: Api;
let apiWithoutLog: Api;

const definition = (topic: string): PipelineDefinition => ({
  source: { topic, format: 'json' },
  steps: [],
  sink: { topic: `${topic}.clean` },
});
const pipelineCommand = (pipelineId: string, command: PipelineCommand) =>
  handleCommand(eventStore, pipelineDecider, pipelineStreamId(pipelineId), command, {
    actor: 'test',
    occurredAt: NOW.toISOString(),
  });

beforeAll(async () => {
  await migrate(pool, schema, [...postgresEventStoreMigrations, ...runsProjection.migrations]);
  // p-1 publishes version 2 (reading orders.v2); version 1 read orders.v1.
  await pipelineCommand('p-1', {
    type: 'CreatePipeline',
    data: {
      pipelineId: 'p-1',
      name: 'Orders',
      definition: definition('orders.v1'),
      createdAt: NOW.toISOString(),
    },
  });
  await pipelineCommand('p-1', {
    type: 'SavePipelineVersion',
    data: {
      pipelineId: 'p-1',
      definition: definition('orders.v2'),
      savedAt: NOW.toISOString(),
      knownConnectorIds: [],
    },
  });
  await pipelineCommand('p-1', {
    type: 'PublishPipelineVersion',
    data: { pipelineId: 'p-1', version: 2, publishedAt: NOW.toISOString() },
  });
  api = await buildApi({ services: services({ log }), ...silent });
  apiWithoutLog = await buildApi({ services: services(), ...silent });
});
afterAll(async () => {
  await api?.close();
  await apiWithoutLog?.close();
  await log.close();
  await eventStore.close();
  await pool.end();
  await dropTestSchema(databaseUrl, schema);
});

const send = async (query: string, variables: Record<string, unknown> = {}, on: Api = api) =>
  (await on.inject({ method: 'POST', url: '/graphql', payload: { query, variables } })).json();

/** Applies every event so far to the runs read model, as its runner would (twice is harmless). */
const project = async () => {
  const client = await pool.connect();
  try {
    await runsProjection.apply(client, await eventStore.readAll());
  } finally {
    client.release();
  }
};

const M = {
  requestRun: 'mutation ($input: RequestRunInput!) { requestRun(input: $input) { runId } }',
  replay: 'mutation ($input: ReplayPipelineInput!) { replayPipeline(input: $input) { runId position } }',
  replayDeadLetters:
    'mutation ($pipelineId: ID!) { replayDeadLetters(pipelineId: $pipelineId) { pipelineId replayed } }',
};
const RUN =
  'query ($id: ID!) { run(id: $id) { id pipelineId version kind status startFrom { timestamp offset } } }';

const failure = (path: string, code: string, category: string, message: string, extra = {}) => ({
  data: null,
  errors: [
    { message, locations: [expect.any(Object)], path: [path], extensions: { code, category, ...extra } },
  ],
});
const invalid = (path: string, problems: { path: string; message: string }[]) =>
  failure(
    path,
    'VALIDATION_FAILED',
    'VALIDATION',
    `Invalid input: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`,
    { problems },
  );

const runOf = async (runId: string) => {
  await project();
  return (await send(RUN, { id: runId })).data.run;
};

describe('replayPipeline', () => {
  it('requests a batch run of the published version from the beginning', async () => {
    const response = await send(M.replay, { input: { pipelineId: 'p-1' } });

    expect(response).toEqual({
      data: {
        replayPipeline: {
          runId: expect.stringMatching(/^run-\d+$/),
          position: expect.stringMatching(/^\d+$/),
        },
      },
    });
    expect(await runOf(response.data.replayPipeline.runId)).toEqual({
      id: response.data.replayPipeline.runId,
      pipelineId: 'p-1',
      version: 2,
      kind: 'batch',
      status: 'requested',
      startFrom: null,
    });
  });

  it('starts from an instant, in UTC, or from an offset, of the version asked for', async () => {
    const fromTime = await send(M.replay, {
      input: { pipelineId: 'p-1', fromTimestamp: '2026-02-28T10:00:00+01:00' },
    });
    const fromOffset = await send(M.replay, { input: { pipelineId: 'p-1', version: 1, fromOffset: 0 } });

    expect(await runOf(fromTime.data.replayPipeline.runId)).toMatchObject({
      version: 2,
      startFrom: { timestamp: '2026-02-28T09:00:00.000Z', offset: null },
    });
    expect(await runOf(fromOffset.data.replayPipeline.runId)).toMatchObject({
      version: 1,
      kind: 'batch',
      startFrom: { timestamp: null, offset: 0 },
    });
  });

  it('rejects both from fields, a bad instant and a negative offset, under the names of the input fields', async () => {
    const both = 'give fromTimestamp or fromOffset, not both';
    expect(
      await send(M.replay, {
        input: { pipelineId: 'p-1', fromTimestamp: '2026-02-28T10:00:00Z', fromOffset: 3 },
      }),
    ).toEqual(
      invalid('replayPipeline', [
        { path: 'fromTimestamp', message: both },
        { path: 'fromOffset', message: both },
      ]),
    );
    expect(await send(M.replay, { input: { pipelineId: 'p-1', fromTimestamp: 'yesterday' } })).toEqual(
      invalid('replayPipeline', [
        { path: 'fromTimestamp', message: 'must be an ISO-8601 instant, such as 2026-03-01T09:00:00Z' },
      ]),
    );
    expect(await send(M.replay, { input: { pipelineId: 'p-1', fromOffset: -1 } })).toEqual(
      invalid('replayPipeline', [{ path: 'fromOffset', message: 'must be a whole number, 0 or more' }]),
    );
  });

  it('refuses a pipeline that does not exist and a version that was never published', async () => {
    expect(await send(M.replay, { input: { pipelineId: 'nope' } })).toEqual(
      failure('replayPipeline', 'PIPELINE_NOT_FOUND', 'NOT_FOUND', 'No pipeline has this id'),
    );
    expect(await send(M.replay, { input: { pipelineId: 'p-1', version: 3 } })).toEqual(
      failure(
        'replayPipeline',
        'PIPELINE_VERSION_NOT_PUBLISHED',
        'CONFLICT',
        'Version 3 of the pipeline is not published; only a published version can run',
      ),
    );
  });
});

describe('requestRun from a time or an offset', () => {
  it('requests a batch run from an offset, shown on the run', async () => {
    const response = await send(M.requestRun, { input: { pipelineId: 'p-1', fromOffset: 42 } });

    expect(await runOf(response.data.requestRun.runId)).toMatchObject({
      kind: 'batch',
      startFrom: { timestamp: null, offset: 42 },
    });
  });

  it('refuses a start for a streaming run, naming the field that gave it', async () => {
    expect(
      await send(M.requestRun, {
        input: { pipelineId: 'p-1', kind: 'streaming', fromTimestamp: '2026-02-28T10:00:00Z' },
      }),
    ).toEqual(
      invalid('requestRun', [
        { path: 'fromTimestamp', message: 'only a batch run can start from a time or an offset' },
      ]),
    );
  });
});

describe('replayDeadLetters', () => {
  it('answers LOG_UNAVAILABLE where the API has no log', async () => {
    expect(await send(M.replayDeadLetters, { pipelineId: 'p-1' }, apiWithoutLog)).toEqual(
      failure(
        'replayDeadLetters',
        'LOG_UNAVAILABLE',
        'UNAVAILABLE',
        'This API instance has no access to the log; replay dead letters with `tributary dlq replay` or from an instance that has it',
      ),
    );
  });

  it('refuses a pipeline that does not exist', async () => {
    expect(await send(M.replayDeadLetters, { pipelineId: 'nope' })).toEqual(
      failure('replayDeadLetters', 'PIPELINE_NOT_FOUND', 'NOT_FOUND', 'No pipeline has this id'),
    );
  });

  it('replays the dead letters to the source of the published version, then nothing more', async () => {
    await log.produce(deadLetterTopicOf('p-1'), [
      {
        key: Buffer.from('o-1'),
        value: Buffer.from('{"id":'),
        headers: { 'tributary-error': 'invalid JSON' },
      },
      { key: Buffer.from('o-2'), value: Buffer.from('[2]'), headers: { 'tributary-error': 'not an object' } },
    ]);

    expect(await send(M.replayDeadLetters, { pipelineId: 'p-1' })).toEqual({
      data: { replayDeadLetters: { pipelineId: 'p-1', replayed: 2 } },
    });
    expect(await send(M.replayDeadLetters, { pipelineId: 'p-1' })).toEqual({
      data: { replayDeadLetters: { pipelineId: 'p-1', replayed: 0 } },
    });
    const ends = await log.endOffsets('orders.v2');
    expect([...ends.values()].reduce((sum, end) => sum + end, 0)).toBe(2);
  });
});
