import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConsumedRecord } from '../../src/infra/log/log.js';
import type { Platform } from '../../src/platform.js';
import { LINEAGE_HEADER, parseLineage } from '../../src/processors/lineage.js';
import { deadLetterTopicOf } from '../../src/processors/pipelineProcessor.js';
import { readTopic } from '../setup/readTopic.js';
import { createTestSchema, dropTestSchema, testServices, uniqueTopic } from '../setup/testServices.js';
import { waitFor } from '../setup/waitFor.js';
import { type GraphQLResponse, graphql, subscribe } from './graphqlClient.js';
import { startTestPlatform } from './testPlatform.js';

const CREATE = `mutation Create($input: CreatePipelineInput!) { createPipeline(input: $input) { pipelineId } }`;
const SAVE = `mutation Save($input: SavePipelineVersionInput!) { savePipelineVersion(input: $input) { version } }`;
const PUBLISH =
  'mutation Publish($id: ID!, $version: Int!) { publishPipelineVersion(id: $id, version: $version) { version } }';
const ACTIVATE = 'mutation Activate($id: ID!) { activatePipeline(id: $id) { pipelineId } }';
const PAUSE = 'mutation Pause($id: ID!) { pausePipeline(id: $id) { pipelineId } }';
const RESUME = 'mutation Resume($id: ID!) { resumePipeline(id: $id) { pipelineId } }';
const REPLAY = `mutation Replay($input: ReplayPipelineInput!) { replayPipeline(input: $input) { runId } }`;
const REPLAY_DEAD = 'mutation Dead($id: ID!) { replayDeadLetters(pipelineId: $id) { replayed } }';
const RUN_FIELDS = 'id version kind status counts { in out filtered failed dlq } lag';
const RUNS = `query Runs($id: ID!) { runs(pipelineId: $id, first: 20) { edges { node { ${RUN_FIELDS} } } } }`;
const RUN = `query Run($id: ID!) { run(id: $id) { ${RUN_FIELDS} } }`;
const RUN_UPDATES = `subscription Runs($pipelineId: ID) { runUpdated(pipelineId: $pipelineId) { event run { ${RUN_FIELDS} } } }`;

interface RunView {
  id: string;
  version: number;
  kind: string;
  status: string;
  counts: { in: number; out: number; filtered: number; failed: number; dlq: number };
  lag: number | null;
}

const order = (amount: number) => ({
  key: null,
  value: Buffer.from(JSON.stringify({ id: `o${amount}`, amount })),
});
const parse = (record: ConsumedRecord) => JSON.parse(record.value.toString()) as Record<string, unknown>;

// Through GraphQL as a pipeline author drives it, on real Kafka and on the embedded log of dev.
describe.each([
  { shape: 'Kafka and Redis', kafka: true },
  { shape: 'the embedded log', kafka: false },
])('pipelines processed on $shape, driven through GraphQL', ({ kafka }) => {
  const services = testServices();
  const schema = createTestSchema(kafka ? 'proc_kafka' : 'proc_embedded');
  let platform: Platform;
  let url: string;
  const call = async <Data>(query: string, variables: Record<string, unknown>) => {
    const response = await graphql<Data>(url, query, variables);
    expect(response.errors).toBeUndefined();
    return response.data as Data;
  };
  const runsOf = async (pipelineId: string) =>
    (await call<{ runs: { edges: { node: RunView }[] } }>(RUNS, { id: pipelineId })).runs.edges.map(
      (e) => e.node,
    );

  beforeAll(async () => {
    platform = await startTestPlatform(schema, {
      kafka,
      redis: kafka,
      env: { PROCESSOR_PROGRESS_INTERVAL_MS: '500' },
    });
    url = platform.graphqlUrl!;
  });

  afterAll(async () => {
    await platform?.stop();
    await dropTestSchema(services.databaseUrl, schema);
  });

  it('runs an active pipeline with live counts, switches versions and pauses without losing or doubling a record', async () => {
    const source = uniqueTopic('orders');
    const sink = uniqueTopic('big-orders');
    const { log } = platform;
    const { createPipeline } = await call<{ createPipeline: { pipelineId: string } }>(CREATE, {
      input: {
        name: 'Big orders',
        source: { topic: source },
        steps: [{ filter: { expr: 'amount > 10' } }],
        sink: { topic: sink },
      },
    });
    const { pipelineId } = createPipeline;
    const updates = subscribe(url, RUN_UPDATES, { pipelineId });
    await updates.ready;
    const runOf = (message: GraphQLResponse) =>
      (message.data as { runUpdated: { run: RunView } } | undefined)?.runUpdated.run;

    // Given an active pipeline fed 30 orders
    await call(ACTIVATE, { id: pipelineId });
    await log.produce(
      source,
      Array.from({ length: 30 }, (_, n) => order(n)),
    );

    // Then the big ones reach the sink, and the streaming run's counts arrive live
    expect(await readTopic(log, sink, 19)).toHaveLength(19);
    const live = await updates.next((message) => {
      const run = runOf(message);
      return run?.kind === 'streaming' && run.counts.in === 30;
    }, 30_000);
    const firstRun = runOf(live)!;
    expect(firstRun).toMatchObject({
      status: 'running',
      version: 1,
      counts: { in: 30, out: 19, filtered: 11, dlq: 0 },
    });
    // And the same counts are Prometheus metrics, with the lag reaching 0 (it is measured at
    // each progress report, so the one with these counts may still see the last batch uncommitted)
    const lagSeries = `tributary_pipeline_lag_records{pipeline_id="${pipelineId}"} 0`;
    const metrics = await waitFor(async () => {
      const text = await (await fetch(url.replace(/graphql$/, 'metrics'))).text();
      return text.includes(lagSeries) ? text : null;
    });
    const series = (outcome: string) =>
      `tributary_pipeline_records_total{pipeline_id="${pipelineId}",version="1",outcome="${outcome}"}`;
    expect(metrics).toContain(`${series('in')} 30`);
    expect(metrics).toContain(`${series('out')} 19`);
    expect(metrics).toContain(`${series('filtered')} 11`);

    // When version 2 (which also renames amount) is published while the pipeline is active
    await call(SAVE, {
      input: {
        pipelineId,
        source: { topic: source },
        steps: [{ filter: { expr: 'amount > 10' } }, { map: { rename: [{ from: 'amount', to: 'total' }] } }],
        sink: { topic: sink },
      },
    });
    await call(PUBLISH, { id: pipelineId, version: 2 });
    // Then the first run completes and a run of version 2 takes over
    await waitFor(async () => {
      const runs = await runsOf(pipelineId);
      return runs.some((run) => run.id === firstRun.id && run.status === 'completed') &&
        runs.some((run) => run.version === 2 && run.status === 'running')
        ? runs
        : null;
    }, 30_000);
    await log.produce(
      source,
      Array.from({ length: 10 }, (_, n) => order(100 + n)),
    );
    const afterSwitch = await readTopic(log, sink, 29);
    // And each source record came out once, the later ones by version 2 only
    expect(afterSwitch).toHaveLength(29);
    const lineages = afterSwitch.map((r) => parseLineage(r.headers[LINEAGE_HEADER]));
    expect(new Set(lineages.map((l) => `${l?.partition}/${l?.offset}`)).size).toBe(29);
    expect(
      afterSwitch
        .filter((r) => 'total' in parse(r))
        .map((r) => parseLineage(r.headers[LINEAGE_HEADER])?.version),
    ).toEqual(Array(10).fill(2));

    // When the pipeline pauses, records wait; when it resumes, they come
    await call(PAUSE, { id: pipelineId });
    await waitFor(
      async () => ((await runsOf(pipelineId)).every((run) => run.status === 'completed') ? true : null),
      30_000,
    );
    await log.produce(
      source,
      Array.from({ length: 5 }, (_, n) => order(200 + n)),
    );
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(await readTopic(log, sink, 34, 1_000)).toHaveLength(29);
    await call(RESUME, { id: pipelineId });
    expect(await readTopic(log, sink, 34)).toHaveLength(34);
    const runs = await waitFor(async () => {
      const all = await runsOf(pipelineId);
      return all.find((run) => run.status === 'running' && run.counts.in === 5) ? all : null;
    }, 30_000);
    expect(runs.filter((run) => run.kind === 'streaming')).toHaveLength(3);
    await updates.close();
  });

  it('replays the source from an offset as a batch run that completes with its counts', async () => {
    const source = uniqueTopic('clicks');
    const sink = uniqueTopic('clicks-out');
    const { log } = platform;
    await log.ensureTopic(source, { partitions: 1 });
    await log.produce(
      source,
      Array.from({ length: 50 }, (_, n) => order(n)),
    );
    const { createPipeline } = await call<{ createPipeline: { pipelineId: string } }>(CREATE, {
      input: {
        name: 'Clicks',
        source: { topic: source },
        steps: [{ filter: { expr: 'amount >= 0' } }],
        sink: { topic: sink },
      },
    });

    // When the operator replays from offset 20, without the pipeline ever being active
    const { replayPipeline } = await call<{ replayPipeline: { runId: string } }>(REPLAY, {
      input: { pipelineId: createPipeline.pipelineId, fromOffset: 20 },
    });

    // Then a batch run processes offsets 20 to 49 and completes
    const run = await waitFor(async () => {
      const { run } = await call<{ run: RunView | null }>(RUN, { id: replayPipeline.runId });
      return run?.status === 'completed' || run?.status === 'failed' ? run : null;
    }, 60_000);
    expect(run).toMatchObject({ kind: 'batch', status: 'completed', counts: { in: 30, out: 30, dlq: 0 } });
    const out = await readTopic(log, sink, 30);
    // (the sink has 3 partitions and the records no key: they come back in another order)
    const amounts = out.map((record) => parse(record).amount as number).sort((a, b) => a - b);
    expect(amounts).toEqual(Array.from({ length: 30 }, (_, n) => 20 + n));
  });

  it('sends a record that fails a step to the DLQ, and replays it through the fixed version', async () => {
    const source = uniqueTopic('payments');
    const sink = uniqueTopic('payments-out');
    const { log } = platform;
    const definition = (type: string) => ({
      source: { topic: source },
      steps: [{ cast: { fields: [{ field: 'amount', type }] } }],
      sink: { topic: sink },
    });
    // Given an active pipeline that casts amounts to int
    const { createPipeline } = await call<{ createPipeline: { pipelineId: string } }>(CREATE, {
      input: { name: 'Payments', ...definition('int') },
    });
    const { pipelineId } = createPipeline;
    await call(ACTIVATE, { id: pipelineId });
    // When a record with a fractional amount comes among whole ones
    await log.produce(source, [order(1), order(2.5), order(3)]);
    // Then the whole ones arrive, and the other is a dead letter naming the step and the reason
    expect(await readTopic(log, sink, 2)).toHaveLength(2);
    const [dead] = await readTopic(log, deadLetterTopicOf(pipelineId), 1);
    expect(dead?.headers['tributary-step']).toBe('steps[0] cast');
    expect(dead?.headers['tributary-error']).toMatch(/amount/);

    // When the version is fixed (cast to double) and the dead letters replayed
    await call(SAVE, { input: { pipelineId, ...definition('double') } });
    await call(PUBLISH, { id: pipelineId, version: 2 });
    await waitFor(async () =>
      (await runsOf(pipelineId)).some((run) => run.version === 2 && run.status === 'running') ? true : null,
    );
    const { replayDeadLetters } = await call<{ replayDeadLetters: { replayed: number } }>(REPLAY_DEAD, {
      id: pipelineId,
    });
    expect(replayDeadLetters.replayed).toBe(1);
    // Then the record comes out of the fixed version
    const out = await readTopic(log, sink, 3);
    const replayed = out.find((record) => parse(record).amount === 2.5);
    expect(parseLineage(replayed?.headers[LINEAGE_HEADER])?.version).toBe(2);
  });
});
