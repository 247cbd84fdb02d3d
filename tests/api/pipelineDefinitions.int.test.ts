import mqemitter from 'mqemitter';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, buildApi } from '../../src/api/buildApi.js';
import { createPostgresEventStore } from '../../src/infra/eventstore/postgresEventStore.js';
import { postgresEventStoreMigrations } from '../../src/infra/eventstore/postgresEventStoreMigrations.js';
import { migrate } from '../../src/infra/postgres/migrate.js';
import { createPostgresPool } from '../../src/infra/postgres/postgresPool.js';
import { createLogger } from '../../src/logger.js';
import { pipelinesProjection } from '../../src/projections/pipelines/pipelinesProjection.js';
import { createTestSchema, dropTestSchema, testServices } from '../setup/testServices.js';

const { databaseUrl } = testServices();
const schema = createTestSchema('api_pipeline_definitions');
const pool = createPostgresPool({ connectionString: databaseUrl, schema, max: 4 });
const eventStore = createPostgresEventStore({ pool, schema });
const NOW = new Date('2026-03-01T09:00:00.000Z');
let ids = 0;
let api: Api;

beforeAll(async () => {
  await migrate(pool, schema, [...postgresEventStoreMigrations, ...pipelinesProjection.migrations]);
  api = await buildApi({
    services: { pool, eventStore, newId: () => `p-${++ids}`, now: () => NOW, secretCipher: null },
    logger: createLogger({ logLevel: 'silent' }),
    emitter: mqemitter(),
    graphiql: false,
  });
});
afterAll(async () => {
  await api?.close();
  await eventStore.close();
  await pool.end();
  await dropTestSchema(databaseUrl, schema);
});

const send = async (query: string, variables: Record<string, unknown> = {}) =>
  (await api.inject({ method: 'POST', url: '/graphql', payload: { query, variables } })).json();

/** Applies every event so far to the pipelines read model, as its runner would (twice is harmless). */
const project = async () => {
  const client = await pool.connect();
  try {
    await pipelinesProjection.apply(client, await eventStore.readAll());
  } finally {
    client.release();
  }
};

const CREATE =
  'mutation ($input: CreatePipelineInput!) { createPipeline(input: $input) { pipelineId version } }';
const SAVE =
  'mutation ($input: SavePipelineVersionInput!) { savePipelineVersion(input: $input) { pipelineId version } }';
const STEPS = `steps {
  __typename
  ... on MapStep { rename { from to } drop set { field expr } }
  ... on FilterStep { expr }
  ... on RenameStep { fields { from to } }
  ... on DropStep { drop }
  ... on CastStep { fields { field type } }
  ... on DefaultStep { values { field value } }
  ... on DedupeStep { key withinMs }
  ... on EnrichStep {
    lookup { redis { keyPrefix } postgres { table keyColumn } }
    key into cacheTtlMs onMissing
  }
  ... on ValidateStep { schema }
  ... on AggregateStep {
    window { type sizeMs advanceMs gapMs }
    key eventTime measures { name fn expression } allowedLatenessMs emit
  }
}`;
const DEFINITION = `source { topic format schema connectorId } ${STEPS}
  sink { topic format schema connectorId } delivery retry { maxAttempts backoffMs maxBackoffMs }`;
const PIPELINE = `query ($id: ID!, $asOf: DateTime) {
  pipeline(id: $id, asOf: $asOf) { ${DEFINITION} versions { version ${DEFINITION} } }
}`;

const ORDER = JSON.stringify({
  type: 'record',
  name: 'Order',
  fields: [
    { name: 'orderId', type: 'string' },
    { name: 'amount', type: 'double' },
  ],
});

const everyStepKind = [
  { map: { set: [{ field: 'cents', expr: 'amount * 100' }] } },
  { filter: { expr: 'amount > 0' } },
  { rename: { fields: [{ from: 'cents', to: 'amountCents' }] } },
  { drop: { fields: ['internal'] } },
  { cast: { fields: [{ field: 'amountCents', type: 'long' }] } },
  {
    default: {
      values: [
        { field: 'currency', value: '"EUR"' },
        { field: 'address', value: '{"country":"DE"}' },
      ],
    },
  },
  { dedupe: { key: 'orderId', withinMs: 3_600_000 } },
  {
    enrich: {
      lookup: { redis: { keyPrefix: 'customer:' } },
      key: 'customerId',
      into: 'customer',
      cacheTtlMs: 60_000,
      onMissing: 'set_null',
    },
  },
  {
    enrich: {
      lookup: { postgres: { table: 'crm.regions', keyColumn: 'code' } },
      key: 'region',
      into: 'regionInfo',
      cacheTtlMs: 0,
      onMissing: 'fail',
    },
  },
  { validate: { schema: ORDER } },
  {
    aggregate: {
      window: { type: 'session', gapMs: 1_800_000 },
      key: 'customerId',
      eventTime: 'placedAt',
      measures: [
        { name: 'orders', fn: 'count' },
        { name: 'spent', fn: 'sum', expression: 'amount' },
        { name: 'lastOrder', fn: 'last', expression: 'orderId' },
      ],
      allowedLatenessMs: 2_592_000_000,
    },
  },
];

// What the API answers for those steps: the same, each under its type.
const everyStepKindRead = [
  { __typename: 'MapStep', rename: [], drop: [], set: [{ field: 'cents', expr: 'amount * 100' }] },
  { __typename: 'FilterStep', expr: 'amount > 0' },
  { __typename: 'RenameStep', fields: [{ from: 'cents', to: 'amountCents' }] },
  { __typename: 'DropStep', drop: ['internal'] },
  { __typename: 'CastStep', fields: [{ field: 'amountCents', type: 'long' }] },
  {
    __typename: 'DefaultStep',
    // By field name, whatever the order given.
    values: [
      { field: 'address', value: '{"country":"DE"}' },
      { field: 'currency', value: '"EUR"' },
    ],
  },
  { __typename: 'DedupeStep', key: 'orderId', withinMs: 3_600_000 },
  {
    __typename: 'EnrichStep',
    lookup: { redis: { keyPrefix: 'customer:' }, postgres: null },
    key: 'customerId',
    into: 'customer',
    cacheTtlMs: 60_000,
    onMissing: 'set_null',
  },
  {
    __typename: 'EnrichStep',
    lookup: { redis: null, postgres: { table: 'crm.regions', keyColumn: 'code' } },
    key: 'region',
    into: 'regionInfo',
    cacheTtlMs: 0,
    onMissing: 'fail',
  },
  { __typename: 'ValidateStep', schema: ORDER },
  {
    __typename: 'AggregateStep',
    window: { type: 'session', sizeMs: null, advanceMs: null, gapMs: 1_800_000 },
    key: 'customerId',
    eventTime: 'placedAt',
    measures: [
      { name: 'orders', fn: 'count', expression: null },
      { name: 'spent', fn: 'sum', expression: 'amount' },
      { name: 'lastOrder', fn: 'last', expression: 'orderId' },
    ],
    // Beyond GraphQL's 32-bit Int, hence Long; the version left emit out, so it shows onClose.
    allowedLatenessMs: 2_592_000_000,
    emit: 'onClose',
  },
];

const invalid = (path: string, problems: { path: string; message: string }[]) => ({
  data: null,
  errors: [
    {
      message: `Invalid input: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`,
      locations: [expect.any(Object)],
      path: [path],
      extensions: { code: 'VALIDATION_FAILED', category: 'VALIDATION', problems },
    },
  ],
});

describe('pipeline definitions over GraphQL', () => {
  it('creates a pipeline with every step kind, Avro ends, delivery and retry, and reads it back as given', async () => {
    const created = await send(CREATE, {
      input: {
        name: 'Every step',
        source: { topic: 'orders.avro', format: 'avro', schema: ORDER },
        steps: everyStepKind,
        sink: { topic: 'orders.enriched', format: 'avro', schema: ORDER },
        delivery: 'exactly_once',
        retry: { maxAttempts: 5, backoffMs: 100, maxBackoffMs: 10_000 },
      },
    });
    expect(created).toEqual({ data: { createPipeline: { pipelineId: 'p-1', version: 1 } } });
    await project();

    const definition = {
      source: { topic: 'orders.avro', format: 'avro', schema: ORDER, connectorId: null },
      steps: everyStepKindRead,
      sink: { topic: 'orders.enriched', format: 'avro', schema: ORDER, connectorId: null },
      delivery: 'exactly_once',
      retry: { maxAttempts: 5, backoffMs: 100, maxBackoffMs: 10_000 },
    };
    const answer = { data: { pipeline: { ...definition, versions: [{ version: 1, ...definition }] } } };
    expect(await send(PIPELINE, { id: 'p-1' })).toEqual(answer);
    // Folded from the events, as of now, it reads the same as from the read model.
    expect(await send(PIPELINE, { id: 'p-1', asOf: new Date().toISOString() })).toEqual(answer);
  });

  it('shows a version saved without delivery, retry or sink format as it runs: at least once, the default policy, JSON', async () => {
    await send(CREATE, {
      input: {
        name: 'Plain',
        source: { topic: 'clicks' },
        steps: [{ map: { drop: ['ip'] } }],
        sink: { topic: 'clicks.clean' },
      },
    });
    await project();

    expect((await send(PIPELINE, { id: 'p-2' })).data.pipeline).toMatchObject({
      source: { topic: 'clicks', format: 'json', schema: null },
      steps: [{ __typename: 'MapStep', rename: [], drop: ['ip'], set: [] }],
      sink: { topic: 'clicks.clean', format: 'json', schema: null },
      delivery: 'at_least_once',
      retry: { maxAttempts: 3, backoffMs: 200, maxBackoffMs: 5_000 },
    });
    // Stored as given: no field the client did not set, so it reads as older versions do.
    const [event] = await eventStore.readStream('pipeline-p-2');
    expect(event?.data).toMatchObject({ name: 'Plain' });
    expect((event!.data as { definition: unknown }).definition).toEqual({
      source: { topic: 'clicks', format: 'json' },
      steps: [{ kind: 'map', rename: {}, drop: ['ip'] }],
      sink: { topic: 'clicks.clean' },
    });
  });

  it('rejects a cast to an unknown type, a broken set expression and an invalid Avro schema, naming each path and writing nothing', async () => {
    const before = await eventStore.headPosition();
    const response = await send(SAVE, {
      input: {
        pipelineId: 'p-2',
        source: {
          topic: 'clicks',
          format: 'avro',
          schema: '{"type":"record","name":"C","fields":[{"name":"ip","type":"ipv4"}]}',
        },
        steps: [
          { cast: { fields: [{ field: 'amount', type: 'decimal' }] } },
          { map: { set: [{ field: 'total', expr: 'amount *' }] } },
          { validate: { schema: '{"type":' } },
        ],
        sink: { topic: 'clicks.clean' },
        delivery: 'exactly_once',
        retry: { maxAttempts: 0, backoffMs: 100, maxBackoffMs: 10 },
      },
    });

    expect(response).toEqual(
      invalid('savePipelineVersion', [
        { path: 'source.schema', message: 'is not a valid Avro schema: undefined type name: ipv4' },
        { path: 'retry.maxAttempts', message: 'must be a whole number of attempts from 1 to 20' },
        {
          path: 'steps[0].fields.amount',
          message: 'must be one of: string, int, long, float, double, boolean, timestamp',
        },
        { path: 'steps[1].set.total', message: 'Unexpected token: EOF (at character 9)' },
        { path: 'steps[2].schema', message: 'is not JSON: Unexpected end of JSON input' },
      ]),
    );
    expect(await eventStore.headPosition()).toBe(before);
  });

  it('rejects what GraphQL types cannot say before the domain sees it: default values that are not JSON, fields given twice, no or two kinds', async () => {
    const before = await eventStore.headPosition();
    const response = await send(CREATE, {
      input: {
        name: 'Broken',
        source: { topic: 'in' },
        steps: [
          { default: { values: [{ field: 'currency', value: 'EUR' }] } },
          {
            cast: {
              fields: [
                { field: 'a', type: 'int' },
                { field: 'a', type: 'long' },
              ],
            },
          },
          {},
          { drop: { fields: ['a'] }, dedupe: { key: 'id', withinMs: 1 } },
        ],
        sink: { topic: 'out' },
      },
    });

    const kinds =
      'set exactly one step kind: map, filter, rename, drop, cast, default, dedupe, enrich, validate, aggregate';
    expect(response).toEqual(
      invalid('createPipeline', [
        {
          path: 'steps[0].default.values[0].value',
          message: 'is not JSON text: Unexpected token \'E\', "EUR" is not valid JSON',
        },
        { path: 'steps[1].cast.fields[1].field', message: '"a" is cast twice' },
        { path: 'steps[2]', message: kinds },
        { path: 'steps[3]', message: kinds },
      ]),
    );
    expect(await eventStore.headPosition()).toBe(before);
  });

  it('rejects an enrich step with both lookups and a json source with a schema, at their paths', async () => {
    const response = await send(CREATE, {
      input: {
        name: 'Both',
        source: { topic: 'in', format: 'json', schema: ORDER },
        steps: [
          {
            enrich: {
              lookup: { redis: { keyPrefix: 'c:' }, postgres: { table: 'customers', keyColumn: 'id' } },
              key: 'customerId',
              into: 'customer',
              cacheTtlMs: 1000,
              onMissing: 'skip',
            },
          },
        ],
        sink: { topic: 'out', format: 'avro' },
      },
    });

    expect(response).toEqual(
      invalid('createPipeline', [
        {
          path: 'source.schema',
          message: 'only an avro topic has a schema: set format to avro, or leave it out',
        },
        { path: 'sink.schema', message: 'must be an Avro record schema, as JSON text' },
        { path: 'steps[0].lookup', message: 'set exactly one lookup: redis or postgres' },
      ]),
    );
  });
});
