import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectorDecider, connectorStreamId } from '../../src/domain/connectors/connector.js';
import { handleCommand } from '../../src/infra/eventstore/handleCommand.js';
import type { Platform } from '../../src/platform.js';
import { createTestSchema, dropTestSchema, testServices, uniqueTopic } from '../setup/testServices.js';
import { waitFor } from '../setup/waitFor.js';
import { type GraphQLResponse, graphql, subscribe } from './graphqlClient.js';
import { startTestPlatform } from './testPlatform.js';

const RESULT = '{ pipelineId version position }';
const M = {
  create: `mutation ($input: CreatePipelineInput!) { createPipeline(input: $input) ${RESULT} }`,
  save: `mutation ($input: SavePipelineVersionInput!) { savePipelineVersion(input: $input) ${RESULT} }`,
  publish: `mutation ($id: ID!, $version: Int!) { publishPipelineVersion(id: $id, version: $version) ${RESULT} }`,
  activate: `mutation ($id: ID!) { activatePipeline(id: $id) ${RESULT} }`,
  pause: `mutation ($id: ID!) { pausePipeline(id: $id) ${RESULT} }`,
  resume: `mutation ($id: ID!) { resumePipeline(id: $id) ${RESULT} }`,
  rollBack: `mutation ($id: ID!, $version: Int!) { rollBackPipeline(id: $id, version: $version) ${RESULT} }`,
  archive: `mutation ($id: ID!) { archivePipeline(id: $id) ${RESULT} }`,
  clone: `mutation ($input: ClonePipelineInput!) { clonePipeline(input: $input) ${RESULT} }`,
  fromTemplate: `mutation ($input: CreatePipelineFromTemplateInput!) { createPipelineFromTemplate(input: $input) ${RESULT} }`,
  requestRun: 'mutation ($input: RequestRunInput!) { requestRun(input: $input) { runId position } }',
  startRun: 'mutation ($id: ID!) { startRun(id: $id) { runId position } }',
  progress:
    'mutation ($input: RecordRunProgressInput!) { recordRunProgress(input: $input) { runId position } }',
  completeRun: 'mutation ($id: ID!) { completeRun(id: $id) { runId position } }',
  failRun: 'mutation ($id: ID!, $reason: String!) { failRun(id: $id, reason: $reason) { runId position } }',
  cancelRun: 'mutation ($id: ID!) { cancelRun(id: $id) { runId position } }',
};
const STEPS = `steps { __typename ... on MapStep { rename { from to } drop } ... on FilterStep { expr } }`;
const PIPELINE = `query ($id: ID!, $asOf: DateTime) {
  pipeline(id: $id, asOf: $asOf) {
    id name status version runningVersion latestVersion templateId createdAt updatedAt archivedAt position
    clonedFrom { pipelineId version }
    source { topic format connectorId } ${STEPS} sink { topic connectorId }
    versions { version status savedAt publishedAt source { topic } ${STEPS} sink { topic } }
  }
}`;
const RUN_FIELDS = `id pipelineId version kind status requestedAt startedAt finishedAt durationMs
  counts { in out filtered failed dlq } inFlight lag checkpoint { partition position }
  progressRecordedAt failureReason position pipeline { id name }`;
const RUN = `query ($id: ID!) { run(id: $id) { ${RUN_FIELDS} } }`;

const ISO = expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
const POSITION = expect.stringMatching(/^\d+$/);

describe('pipelines and runs over GraphQL', () => {
  const services = testServices();
  const schema = createTestSchema('e2e_pipelines_runs');
  let platform: Platform;
  let url: string;

  beforeAll(async () => {
    // The embedded log (no Kafka needed here) and Redis pub/sub, so live views cross Redis.
    platform = await startTestPlatform(schema, { redis: true, env: { LOG_LEVEL: 'fatal' } });
    url = platform.graphqlUrl!;
  });

  afterAll(async () => {
    await platform?.stop();
    await dropTestSchema(services.databaseUrl, schema);
  });

  const send = (
    query: string,
    variables: Record<string, unknown> = {},
    headers: Record<string, string> = {},
  ) => graphql(url, query, variables, headers);

  /** Sends a mutation that must succeed and returns its one result. */
  const ok = async <Result = Record<string, unknown>>(query: string, variables: Record<string, unknown>) => {
    const response = await send(query, variables);
    expect(response.errors).toBeUndefined();
    return Object.values(response.data ?? {})[0] as Result & { position: string };
  };

  /** Reads until the read model reflects `position` (read-your-writes for a test). */
  const readAt = (query: string, variables: Record<string, unknown>, position: string) =>
    waitFor(async () => {
      const response = await send(query, variables);
      const found = Object.values(response.data ?? {})[0] as { position?: string } | null;
      return found && Number(found.position) >= Number(position) ? response : null;
    });

  const definition = (steps: unknown[] = [{ map: { drop: ['card'] } }]) => ({
    source: { topic: uniqueTopic('in') },
    steps,
    sink: { topic: uniqueTopic('out') },
  });
  const create = (name: string, input = definition()) =>
    ok<{ pipelineId: string }>(M.create, { input: { name, ...input } });

  const failure = (path: string, code: string, category: string, message: string, extra = {}) => ({
    data: null,
    errors: [
      { message, locations: [expect.any(Object)], path: [path], extensions: { code, category, ...extra } },
    ],
  });

  it('takes a pipeline through every lifecycle command, each answered with its ids, version and position', async () => {
    const input = definition();
    const { pipelineId } = await create('Lifecycle', input);
    const id = pipelineId;
    const v2 = {
      ...definition([{ map: { rename: [{ from: 'amt', to: 'amount' }] } }]),
      source: input.source,
    };

    const saved = await ok(M.save, { input: { pipelineId: id, ...v2 } });
    expect(saved).toEqual({ pipelineId: id, version: 2, position: POSITION });
    expect(await ok(M.activate, { id })).toEqual({ pipelineId: id, version: 1, position: POSITION });
    expect(await ok(M.publish, { id, version: 2 })).toEqual({
      pipelineId: id,
      version: 2,
      position: POSITION,
    });
    expect(await ok(M.pause, { id })).toEqual({ pipelineId: id, version: null, position: POSITION });
    // Pausing a paused pipeline changes nothing, so it records nothing.
    expect(await ok(M.pause, { id })).toEqual({ pipelineId: id, version: null, position: null });
    expect(await ok(M.resume, { id })).toEqual({ pipelineId: id, version: 2, position: POSITION });
    expect(await ok(M.rollBack, { id, version: 1 })).toEqual({
      pipelineId: id,
      version: 1,
      position: POSITION,
    });
    const archived = await ok(M.archive, { id });
    expect(archived).toEqual({ pipelineId: id, version: null, position: POSITION });

    const read = await readAt(PIPELINE, { id }, archived.position);
    const v1Steps = [{ __typename: 'MapStep', rename: [], drop: ['card'] }];
    const v2Steps = [{ __typename: 'MapStep', rename: [{ from: 'amt', to: 'amount' }], drop: [] }];
    expect(read).toEqual({
      data: {
        pipeline: {
          id,
          name: 'Lifecycle',
          status: 'archived',
          version: 1,
          runningVersion: null,
          latestVersion: 2,
          templateId: null,
          createdAt: ISO,
          updatedAt: ISO,
          archivedAt: ISO,
          position: archived.position,
          clonedFrom: null,
          source: { topic: input.source.topic, format: 'json', connectorId: null },
          steps: v1Steps,
          sink: { topic: input.sink.topic, connectorId: null },
          versions: [
            {
              version: 1,
              status: 'published',
              savedAt: ISO,
              publishedAt: ISO,
              source: { topic: input.source.topic },
              steps: v1Steps,
              sink: { topic: input.sink.topic },
            },
            {
              version: 2,
              status: 'published',
              savedAt: ISO,
              publishedAt: ISO,
              source: { topic: input.source.topic },
              steps: v2Steps,
              sink: { topic: v2.sink.topic },
            },
          ],
        },
      },
    });

    // An archived pipeline can only be read.
    expect(await send(M.resume, { id })).toEqual(
      failure(
        'resumePipeline',
        'PIPELINE_ARCHIVED',
        'CONFLICT',
        'The pipeline is archived; it can only be read',
      ),
    );
  });

  it('refuses what the lifecycle does not allow, with the code and the field', async () => {
    const { pipelineId: id } = await create('Refusals');
    expect(await send(M.resume, { id })).toEqual(
      failure('resumePipeline', 'PIPELINE_NOT_PAUSED', 'CONFLICT', 'The pipeline is draft, not paused'),
    );
    expect(await send(M.publish, { id, version: 7 })).toEqual(
      failure(
        'publishPipelineVersion',
        'PIPELINE_VERSION_NOT_FOUND',
        'NOT_FOUND',
        'The pipeline has no version 7; its versions are 1 to 1',
      ),
    );
    expect(await send(M.rollBack, { id, version: 1 })).toEqual(
      failure(
        'rollBackPipeline',
        'VALIDATION_FAILED',
        'VALIDATION',
        'Invalid input: version: must be earlier than the published version 1',
        {
          problems: [{ path: 'version', message: 'must be earlier than the published version 1' }],
        },
      ),
    );
    const badStep = {
      pipelineId: id,
      ...definition([{ filter: { expr: 'amount >' } }, { map: {}, filter: { expr: 'x' } }]),
    };
    const response = await send(M.save, { input: badStep });
    expect(response).toEqual(
      failure('savePipelineVersion', 'VALIDATION_FAILED', 'VALIDATION', expect.any(String), {
        problems: [
          {
            path: 'steps[1]',
            message:
              'set exactly one step kind: map, filter, rename, drop, cast, default, dedupe, enrich, validate, aggregate',
          },
        ],
      }),
    );
    expect(await send(M.activate, { id: 'nope' })).toEqual(
      failure('activatePipeline', 'PIPELINE_NOT_FOUND', 'NOT_FOUND', 'No pipeline has this id'),
    );
  });

  it('saves filter steps and connector ends, checking each connector exists', async () => {
    const { pipelineId: id } = await create('Connectors');
    await handleCommand(
      platform.eventStore,
      connectorDecider,
      connectorStreamId('uploads'),
      {
        type: 'CreateConnector',
        data: {
          connectorId: 'uploads',
          name: 'Uploads',
          createdAt: new Date().toISOString(),
          direction: 'source',
          kind: 'file-upload',
          config: { format: 'json' },
        },
      },
      { actor: 'test', occurredAt: new Date().toISOString() },
    );
    const sink = { topic: uniqueTopic('out') };
    const steps = [{ filter: { expr: 'amount > 10' } }];
    expect(
      await send(M.save, { input: { pipelineId: id, source: { connectorId: 'missing' }, steps, sink } }),
    ).toEqual(
      failure('savePipelineVersion', 'VALIDATION_FAILED', 'VALIDATION', expect.any(String), {
        problems: [{ path: 'source.connectorId', message: 'no connector has the id "missing"' }],
      }),
    );
    expect(
      await send(M.save, {
        input: { pipelineId: id, source: { connectorId: 'uploads', topic: 'x' }, steps, sink },
      }),
    ).toEqual(
      failure('savePipelineVersion', 'VALIDATION_FAILED', 'VALIDATION', expect.any(String), {
        problems: [{ path: 'source', message: 'name a connectorId or topic and format, not both' }],
      }),
    );
    const saved = await ok(M.save, {
      input: { pipelineId: id, source: { connectorId: 'uploads' }, steps, sink },
    });
    const published = await ok(M.publish, { id, version: 2 });
    expect(saved.version).toBe(2);
    const read = await readAt(
      `query ($id: ID!) { pipeline(id: $id) { position source { topic format connectorId } ${STEPS} } }`,
      { id },
      published.position,
    );
    expect(read.data?.pipeline).toEqual({
      position: published.position,
      source: { topic: null, format: null, connectorId: 'uploads' },
      steps: [{ __typename: 'FilterStep', expr: 'amount > 10' }],
    });
  });

  it('reads a pipeline as it was at an instant, folded from its events rather than the read model', async () => {
    const input = definition();
    const { pipelineId: id } = await create('Time travel', input);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await ok(M.save, { input: { pipelineId: id, ...definition([{ map: { drop: ['secret'] } }]) } });
    const published = await ok(M.publish, { id, version: 2 });
    await readAt(PIPELINE, { id }, published.position);
    const [createdEvent] = await platform.eventStore.readStream(`pipeline-${id}`);

    const then = await send(PIPELINE, { id, asOf: createdEvent!.recordedAt.toISOString() });
    expect(then.data?.pipeline).toMatchObject({
      version: 1,
      latestVersion: 1,
      position: String(createdEvent!.position),
      source: { topic: input.source.topic },
      steps: [{ __typename: 'MapStep', drop: ['card'] }],
      versions: [{ version: 1, status: 'published' }],
    });
    const now = await send(PIPELINE, { id });
    expect(now.data?.pipeline).toMatchObject({ version: 2, steps: [{ drop: ['secret'] }] });
    const before = new Date(createdEvent!.recordedAt.getTime() - 1).toISOString();
    expect(await send(PIPELINE, { id, asOf: before })).toEqual({ data: { pipeline: null } });
    // A field that can be null answers null beside its error.
    expect(await send(PIPELINE, { id, asOf: 'last tuesday' })).toEqual({
      ...failure('pipeline', 'VALIDATION_FAILED', 'VALIDATION', expect.any(String), {
        problems: [{ path: 'asOf', message: 'must be an ISO-8601 instant, such as 2026-01-31T12:00:00Z' }],
      }),
      data: { pipeline: null },
    });
  });

  it('clones a version of a pipeline and creates pipelines from templates, recording where each came from', async () => {
    const input = definition();
    const { pipelineId: original } = await create('Original', input);
    await ok(M.save, { input: { pipelineId: original, ...definition([{ map: { drop: ['v2'] } }]) } });
    await ok(M.publish, { id: original, version: 2 });

    const key = { 'idempotency-key': uniqueTopic('clone') };
    const cloneInput = { input: { pipelineId: original, version: 1, name: 'Copy of v1' } };
    const cloned = await send(M.clone, cloneInput, key);
    expect(await send(M.clone, cloneInput, key)).toEqual(cloned);
    const clone = (cloned.data as { clonePipeline: { pipelineId: string; position: string } }).clonePipeline;
    const readClone = await readAt(PIPELINE, { id: clone.pipelineId }, clone.position);
    expect(readClone.data?.pipeline).toMatchObject({
      name: 'Copy of v1',
      version: 1,
      clonedFrom: { pipelineId: original, version: 1 },
      steps: [{ drop: ['card'] }],
    });

    const templates = await send('{ pipelineTemplates { id name steps { __typename } } }');
    expect(templates).toEqual({
      data: {
        pipelineTemplates: [
          { id: 'template.copy', name: 'Copy', steps: [] },
          { id: 'template.drop-card-data', name: 'Drop card data', steps: [{ __typename: 'MapStep' }] },
        ],
      },
    });
    const own = { source: { topic: uniqueTopic('t-in') }, sink: { topic: uniqueTopic('t-out') } };
    const fromBuiltIn = await ok<{ pipelineId: string }>(M.fromTemplate, {
      input: { templateId: 'template.drop-card-data', name: 'No cards', ...own },
    });
    const readBuiltIn = await readAt(PIPELINE, { id: fromBuiltIn.pipelineId }, fromBuiltIn.position);
    expect(readBuiltIn.data?.pipeline).toMatchObject({
      templateId: 'template.drop-card-data',
      source: { topic: own.source.topic },
      steps: [{ drop: ['card', 'cardNumber', 'cvv'] }],
    });
    const fromPipeline = await ok<{ pipelineId: string }>(M.fromTemplate, {
      input: { templateId: original, name: 'Like the original' },
    });
    const readFromPipeline = await readAt(PIPELINE, { id: fromPipeline.pipelineId }, fromPipeline.position);
    expect(readFromPipeline.data?.pipeline).toMatchObject({
      templateId: original,
      steps: [{ drop: ['v2'] }],
    });

    expect(await send(M.fromTemplate, { input: { templateId: 'template.copy', name: 'Nowhere' } })).toEqual(
      failure('createPipelineFromTemplate', 'VALIDATION_FAILED', 'VALIDATION', expect.any(String), {
        problems: [
          { path: 'source', message: 'the template has no source: give one' },
          { path: 'sink', message: 'the template has no sink: give one' },
        ],
      }),
    );
    expect(await send(M.fromTemplate, { input: { templateId: 'nope', name: 'X' } })).toEqual(
      failure(
        'createPipelineFromTemplate',
        'PIPELINE_NOT_FOUND',
        'NOT_FOUND',
        'No built-in template or pipeline has the id "nope"',
      ),
    );
    expect(await send(M.clone, { input: { pipelineId: original, version: 9, name: 'X' } })).toEqual(
      failure(
        'clonePipeline',
        'PIPELINE_VERSION_NOT_FOUND',
        'NOT_FOUND',
        'The pipeline has no version 9; its versions are 1 to 2',
      ),
    );
  });

  it('pages through pipelines with a filter and an order, with the total on every page', async () => {
    const tag = uniqueTopic('page');
    const names = ['e', 'b', 'd', 'a', 'c'].map((letter) => `${tag} ${letter}`);
    for (const name of names) await create(name);
    await waitFor(async () => {
      const response = await send(
        'query ($tag: String) { pipelines(filter: { search: $tag }) { totalCount } }',
        {
          tag,
        },
      );
      return (response.data?.pipelines as { totalCount: number } | undefined)?.totalCount === 5;
    });

    const PAGE = `query ($after: String, $search: String, $direction: OrderDirection) {
      pipelines(first: 2, after: $after, filter: { search: $search, status: draft }, orderBy: { field: NAME, direction: $direction }) {
        totalCount pageInfo { hasNextPage endCursor } edges { cursor node { name } }
      }
    }`;
    type Page = {
      pipelines: {
        totalCount: number;
        pageInfo: { hasNextPage: boolean; endCursor: string | null };
        edges: { node: { name: string } }[];
      };
    };
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 3; page++) {
      const response: GraphQLResponse<Page> = await graphql<Page>(url, PAGE, {
        after,
        search: tag.toUpperCase(),
      });
      const { totalCount, pageInfo, edges } = response.data!.pipelines;
      expect(totalCount).toBe(5);
      seen.push(...edges.map((edge) => edge.node.name));
      expect(pageInfo.hasNextPage).toBe(page < 2);
      after = pageInfo.endCursor;
    }
    expect(seen).toEqual([...names].sort());

    const descending = await graphql<Page>(url, PAGE, { search: tag, direction: 'DESC' });
    expect(descending.data!.pipelines.edges.map((edge) => edge.node.name)).toEqual([names[0], names[2]]);
    // A cursor of one order cannot start a page of another, and a made-up one is refused.
    const foreign = descending.data!.pipelines.pageInfo.endCursor;
    for (const bad of [foreign, 'bm90IGEgY3Vyc29y']) {
      expect(await send(PAGE, { search: tag, after: bad })).toEqual(
        failure('pipelines', 'VALIDATION_FAILED', 'VALIDATION', expect.any(String), {
          problems: [
            {
              path: 'after',
              message: 'is not a cursor of this list in this order; start again without after',
            },
          ],
        }),
      );
    }
    expect((await send('{ pipelines(first: 101) { totalCount } }')).errors?.[0]?.extensions).toEqual({
      code: 'VALIDATION_FAILED',
      category: 'VALIDATION',
      problems: [{ path: 'first', message: 'must be a whole number from 0 to 100' }],
    });
  });

  it('runs a pipeline through every run command and shows each change live and in the read model', async () => {
    const { pipelineId } = await create('Runs');
    const live = subscribe(
      url,
      `subscription ($pipelineId: ID) { runUpdated(pipelineId: $pipelineId) { event position run { id status counts { in } pipeline { name } } } }`,
      { pipelineId },
    );
    await live.ready;

    const requested = await ok<{ runId: string }>(M.requestRun, { input: { pipelineId, kind: 'streaming' } });
    const runId = requested.runId;
    expect(requested).toEqual({ runId, position: POSITION });
    await ok(M.startRun, { id: runId });
    const counts = { in: 3_000_000_000, out: 2_999_999_990, filtered: 6, failed: 1, dlq: 2 };
    await ok(M.progress, {
      input: { runId, counts, lag: 12, checkpoint: [{ partition: 'orders/0', position: '41' }] },
    });
    expect(await send(M.completeRun, { id: runId })).toEqual(
      failure(
        'completeRun',
        'RUN_RECORDS_IN_FLIGHT',
        'CONFLICT',
        'The run still has 2 records in flight; record its final progress first',
      ),
    );
    expect(await send(M.progress, { input: { runId, counts: { ...counts, in: 5 }, lag: 0 } })).toEqual(
      failure('recordRunProgress', 'VALIDATION_FAILED', 'VALIDATION', expect.any(String), {
        problems: [
          { path: 'counts.in', message: 'must not go back from 3000000000 to 5: counts are cumulative' },
        ],
      }),
    );
    const final = { ...counts, out: 2_999_999_992 };
    await ok(M.progress, {
      input: { runId, counts: final, lag: 0, checkpoint: [{ partition: 'orders/0', position: '50' }] },
    });
    const completed = await ok(M.completeRun, { id: runId });

    const changes = await live.next(
      (m) => (m.data?.runUpdated as { event: string } | undefined)?.event === 'RunCompleted',
    );
    expect(changes.data).toEqual({
      runUpdated: {
        event: 'RunCompleted',
        position: completed.position,
        // Run.pipeline comes through its loader, within a subscription too.
        run: { id: runId, status: 'completed', counts: { in: 3_000_000_000 }, pipeline: { name: 'Runs' } },
      },
    });
    expect(live.received.map((m) => (m.data?.runUpdated as { event: string } | undefined)?.event)).toEqual([
      'RunRequested',
      'RunStarted',
      'RunProgressRecorded',
      'RunProgressRecorded',
      'RunCompleted',
    ]);
    await live.close();

    expect(await readAt(RUN, { id: runId }, completed.position)).toEqual({
      data: {
        run: {
          id: runId,
          pipelineId,
          version: 1,
          kind: 'streaming',
          status: 'completed',
          requestedAt: ISO,
          startedAt: ISO,
          finishedAt: ISO,
          durationMs: expect.any(Number),
          counts: final,
          inFlight: 0,
          lag: 0,
          checkpoint: [{ partition: 'orders/0', position: '50' }],
          progressRecordedAt: ISO,
          failureReason: null,
          position: completed.position,
          pipeline: { id: pipelineId, name: 'Runs' },
        },
      },
    });
    expect(await send(M.cancelRun, { id: runId })).toEqual(
      failure(
        'cancelRun',
        'RUN_ALREADY_FINISHED',
        'CONFLICT',
        'The run has already finished: it is completed',
      ),
    );
  });

  it('fails and cancels runs, lists them newest first, and refuses a run of an archived pipeline', async () => {
    const { pipelineId } = await create('Run history');
    const failed = await ok<{ runId: string }>(M.requestRun, { input: { pipelineId } });
    await ok(M.startRun, { id: failed.runId });
    const failedAt = await ok(M.failRun, { id: failed.runId, reason: '  sink refused the batch ' });
    const cancelled = await ok<{ runId: string }>(M.requestRun, { input: { pipelineId, version: 1 } });
    const cancelledAt = await ok(M.cancelRun, { id: cancelled.runId });
    expect(await send(M.requestRun, { input: { pipelineId, version: 2 } })).toEqual(
      failure(
        'requestRun',
        'PIPELINE_VERSION_NOT_PUBLISHED',
        'CONFLICT',
        'Version 2 of the pipeline is not published; only a published version can run',
      ),
    );
    await readAt(RUN, { id: failed.runId }, failedAt.position);
    await readAt(RUN, { id: cancelled.runId }, cancelledAt.position);

    const RUNS = `query ($pipelineId: ID, $status: RunStatus) {
      runs(pipelineId: $pipelineId, status: $status, first: 5) {
        totalCount edges { node { id status kind failureReason durationMs } }
      }
    }`;
    expect(await send(RUNS, { pipelineId })).toEqual({
      data: {
        runs: {
          totalCount: 2,
          edges: [
            {
              node: {
                id: cancelled.runId,
                status: 'cancelled',
                kind: 'batch',
                failureReason: null,
                durationMs: null,
              },
            },
            {
              node: {
                id: failed.runId,
                status: 'failed',
                kind: 'batch',
                failureReason: 'sink refused the batch',
                durationMs: expect.any(Number),
              },
            },
          ],
        },
      },
    });
    const onlyFailed = await send(RUNS, { pipelineId, status: 'failed' });
    expect(onlyFailed.data?.runs).toMatchObject({ totalCount: 1, edges: [{ node: { id: failed.runId } }] });
    const listed = await send(
      `query ($id: ID!) { pipeline(id: $id) { runs(first: 1) { totalCount pageInfo { hasNextPage } edges { node { id } } } } }`,
      { id: pipelineId },
    );
    expect(listed).toEqual({
      data: {
        pipeline: {
          runs: {
            totalCount: 2,
            pageInfo: { hasNextPage: true },
            edges: [{ node: { id: cancelled.runId } }],
          },
        },
      },
    });
    expect(await send(RUN, { id: 'nope' })).toEqual({ data: { run: null } });

    await ok(M.archive, { id: pipelineId });
    expect(await send(M.requestRun, { input: { pipelineId } })).toEqual(
      failure('requestRun', 'PIPELINE_ARCHIVED', 'CONFLICT', 'The pipeline is archived; it can only be read'),
    );
    expect(await send(M.requestRun, { input: { pipelineId: 'nope' } })).toEqual(
      failure('requestRun', 'PIPELINE_NOT_FOUND', 'NOT_FOUND', 'No pipeline has this id'),
    );
  });
});
