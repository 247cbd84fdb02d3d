import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Platform } from '../../src/platform.js';
import { LINEAGE_HEADER, parseLineage } from '../../src/processors/lineage.js';
import { deadLetterTopicOf } from '../../src/processors/pipelineProcessor.js';
import { readTopic } from '../setup/readTopic.js';
import { createTestSchema, dropTestSchema, testServices, uniqueTopic } from '../setup/testServices.js';
import { waitFor } from '../setup/waitFor.js';
import { graphql, subscribe } from './graphqlClient.js';
import { startTestPlatform } from './testPlatform.js';

const CREATE = `mutation Create($input: CreatePipelineInput!) {
  createPipeline(input: $input) { pipelineId position }
}`;
const ACTIVATE = 'mutation Activate($id: ID!) { activatePipeline(id: $id) { pipelineId position } }';
const PIPELINE = `query One($id: ID!) {
  pipeline(id: $id) {
    id name status version position
    source { topic format } sink { topic }
    steps { ... on MapStep { rename { from to } drop } }
  }
}`;
const CHANGES = `subscription Changes($id: ID) {
  pipelineChanged(id: $id) { event position pipeline { id name status } }
}`;

// The same slice on both shapes: real Kafka + Redis, and the embedded log + in-memory pub/sub
// that `npm run dev` uses (on the test PostgreSQL rather than an embedded one).
describe.each([
  { shape: 'Kafka and Redis', kafka: true },
  { shape: 'the embedded log and in-memory pub/sub', kafka: false },
])('walking skeleton over GraphQL on $shape', ({ kafka }) => {
  const services = testServices();
  const schema = createTestSchema(kafka ? 'e2e_kafka' : 'e2e_embedded');
  let platform: Platform;
  let url: string;
  const start = () => startTestPlatform(schema, { kafka, redis: kafka });

  beforeAll(async () => {
    platform = await start();
    url = platform.graphqlUrl!;
  });

  afterAll(async () => {
    await platform?.stop();
    await dropTestSchema(services.databaseUrl, schema);
  });

  it('creates a pipeline, shows it live and in the read model, and transforms records once activated', async () => {
    const source = uniqueTopic('orders');
    const sink = uniqueTopic('orders-clean');
    const changes = subscribe(url, CHANGES);
    await changes.ready;

    // When a pipeline is created
    const created = await graphql<{ createPipeline: { pipelineId: string; position: string } }>(url, CREATE, {
      input: {
        name: 'Clean orders',
        source: { topic: source },
        steps: [{ map: { rename: [{ from: 'amt', to: 'amount' }], drop: ['card'] } }],
        sink: { topic: sink },
      },
    });
    expect(created.errors).toBeUndefined();
    const { pipelineId, position } = created.data!.createPipeline;
    expect(Number(position)).toBeGreaterThan(0);

    // Then the subscription receives it live, at the position the mutation returned
    const live = await changes.next(
      (m) => (m.data?.pipelineChanged as { event: string })?.event === 'PipelineCreated',
    );
    expect(live.data).toEqual({
      pipelineChanged: {
        event: 'PipelineCreated',
        position,
        pipeline: { id: pipelineId, name: 'Clean orders', status: 'draft' },
      },
    });

    // And queries read it from the read model
    const read = await graphql(url, PIPELINE, { id: pipelineId });
    expect(read).toEqual({
      data: {
        pipeline: {
          id: pipelineId,
          name: 'Clean orders',
          status: 'draft',
          version: 1,
          position,
          source: { topic: source, format: 'json' },
          sink: { topic: sink },
          steps: [{ rename: [{ from: 'amt', to: 'amount' }], drop: ['card'] }],
        },
      },
    });
    const list = await graphql<{ pipelines: { edges: { node: { id: string } }[] } }>(
      url,
      '{ pipelines(first: 100) { edges { node { id } } } }',
    );
    expect(list.data?.pipelines.edges.map((edge) => edge.node.id)).toContain(pipelineId);

    // When it is activated and records arrive on its source, one of them malformed
    const activated = await graphql<{ activatePipeline: { position: string } }>(url, ACTIVATE, {
      id: pipelineId,
    });
    expect(activated.errors).toBeUndefined();
    await changes.next((m) => (m.data?.pipelineChanged as { event: string })?.event === 'PipelineActivated');
    await platform.log.produce(source, [
      { key: Buffer.from('o-1'), value: Buffer.from(JSON.stringify({ id: 'o-1', amt: 10, card: '4111' })) },
      { key: Buffer.from('o-2'), value: Buffer.from('{not json') },
      { key: Buffer.from('o-3'), value: Buffer.from(JSON.stringify({ id: 'o-3', amt: 7.5, note: 'gift' })) },
    ]);

    // Then the good ones come out transformed on the sink, traceable to their source record
    const out = await readTopic(platform.log, sink, 2);
    const values = out.map((record) => JSON.parse(record.value.toString()));
    expect(values.sort((a, b) => a.id.localeCompare(b.id))).toEqual([
      { id: 'o-1', amount: 10 },
      { id: 'o-3', amount: 7.5, note: 'gift' },
    ]);
    for (const record of out) {
      expect(parseLineage(record.headers[LINEAGE_HEADER])).toMatchObject({ pipelineId, topic: source });
    }
    // And the malformed one is in the pipeline's DLQ with its reason
    const dead = await readTopic(platform.log, deadLetterTopicOf(pipelineId), 1);
    expect(dead).toHaveLength(1);
    expect(dead[0]?.value.toString()).toBe('{not json');
    expect(dead[0]?.headers['tributary-error']).toMatch(/^invalid JSON/);
    await changes.close();
  });

  it('rejects an invalid pipeline with the field paths and writes no event', async () => {
    const before = await platform.eventStore.headPosition();
    const response = await graphql(url, CREATE, {
      input: {
        name: ' ',
        source: { topic: 'same' },
        steps: [{ map: { drop: ['a b'] } }],
        sink: { topic: 'same' },
      },
    });
    expect(response.data).toBeNull();
    expect(response.errors).toHaveLength(1);
    expect(response.errors?.[0]?.extensions).toEqual({
      code: 'VALIDATION_FAILED',
      category: 'VALIDATION',
      problems: [
        { path: 'name', message: 'must be 1 to 100 characters' },
        { path: 'sink.topic', message: 'must differ from source.topic, or records would loop' },
        { path: 'steps[0].drop[0]', message: 'must be a field name without spaces' },
      ],
    });
    expect(await platform.eventStore.headPosition()).toBe(before);
  });

  it('creates one pipeline for a mutation retried with the same Idempotency-Key, and records who and why', async () => {
    const input = {
      name: 'Retried',
      source: { topic: uniqueTopic('in') },
      steps: [{ map: { drop: ['x'] } }],
      sink: { topic: uniqueTopic('out') },
    };
    const headers = { 'idempotency-key': `key-${uniqueTopic('k')}`, 'x-correlation-id': 'corr-42' };
    type Created = { createPipeline: { pipelineId: string; position: string } };

    const first = await graphql<Created>(url, CREATE, { input }, headers);
    const again = await graphql<Created>(url, CREATE, { input }, headers);

    expect(again).toEqual(first);
    const { pipelineId } = first.data!.createPipeline;
    const events = await platform.eventStore.readStream(`pipeline-${pipelineId}`);
    expect(events).toHaveLength(1);
    expect(events[0]?.metadata).toMatchObject({
      actor: 'dev',
      commandId: headers['idempotency-key'],
      correlationId: 'corr-42',
      schemaVersion: 1,
    });
  });

  it('answers an unknown pipeline with null, and activating it with PIPELINE_NOT_FOUND', async () => {
    expect(await graphql(url, PIPELINE, { id: 'nope' })).toEqual({ data: { pipeline: null } });
    const response = await graphql(url, ACTIVATE, { id: 'nope' });
    expect(response).toEqual({
      data: null,
      errors: [
        {
          message: 'No pipeline has this id',
          locations: [{ line: 1, column: 31 }],
          path: ['activatePipeline'],
          extensions: { code: 'PIPELINE_NOT_FOUND', category: 'NOT_FOUND' },
        },
      ],
    });
  });

  it('answers a malformed query with INVALID_QUERY instead of failing', async () => {
    const response = await graphql(url, '{ pipelines { nosuchfield } }');
    expect(response.data ?? null).toBeNull();
    expect(response.errors?.[0]?.extensions?.code).toBe('INVALID_QUERY');
    expect(response.errors?.[0]?.message).toContain('nosuchfield');
  });

  it('keeps serving after a restart with the pipeline still there', async () => {
    const created = await graphql<{ createPipeline: { pipelineId: string } }>(url, CREATE, {
      input: {
        name: 'Kept',
        source: { topic: uniqueTopic('a') },
        steps: [],
        sink: { topic: uniqueTopic('b') },
      },
    });
    const id = created.data!.createPipeline.pipelineId;
    await waitFor(async () => (await graphql<{ pipeline: unknown }>(url, PIPELINE, { id })).data?.pipeline);
    await platform.stop();
    platform = await start();
    url = platform.graphqlUrl!;
    const read = await graphql<{ pipeline: { name: string } }>(url, PIPELINE, { id });
    expect(read.data?.pipeline.name).toBe('Kept');
  });
});
