import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { type Platform, type Role, startPlatform } from '../../src/platform.js';
import { createTestSchema, dropTestSchema, testServices, uniqueTopic } from '../setup/testServices.js';
import { waitFor } from '../setup/waitFor.js';
import { type GraphQLResponse, graphql, subscribe } from './graphqlClient.js';

const CREATE = `mutation Create($input: CreatePipelineInput!) {
  createPipeline(input: $input) { pipelineId position }
}`;
const ACTIVATE = 'mutation Activate($id: ID!) { activatePipeline(id: $id) { pipelineId position } }';
const PAUSE = 'mutation Pause($id: ID!) { pausePipeline(id: $id) { pipelineId position } }';
const CHANGES = 'subscription { pipelineChanged { event position pipeline { id status } } }';

interface CommandResult {
  pipelineId: string;
  position: string;
}

/** The pipelineChanged message a subscriber should get for a mutation's result. */
const change = (event: string, { pipelineId, position }: CommandResult, status: string) => ({
  data: { pipelineChanged: { event, position, pipeline: { id: pipelineId, status } } },
});

// Subscriptions fan out through Redis, so any API instance serves any subscriber: two API
// instances on one schema (one of them also running the projections that publish), and a
// third deployment on a schema of its own sharing the same Redis.
describe('live views across API instances', () => {
  const services = testServices();
  const shared = createTestSchema('fanout_shared');
  const other = createTestSchema('fanout_other');
  const platforms: Platform[] = [];
  let first: string;
  let second: string;
  let elsewhere: string;

  const start = async (schema: string, roles: Role[]) => {
    const config = loadConfig({
      DATABASE_URL: services.databaseUrl,
      DATABASE_SCHEMA: schema,
      KAFKA_BROKERS: services.kafkaBrokers.join(','),
      REDIS_URL: services.redisUrl,
      PORT: '0',
      LOG_LEVEL: 'warn',
      // Fan-out, not access, is what this file is about.
      AUTH_DISABLED: 'true',
    });
    const platform = await startPlatform(config, createLogger(config), roles);
    platforms.push(platform);
    return platform.graphqlUrl!;
  };

  beforeAll(async () => {
    // One after the other: the first migrates the shared schema.
    first = await start(shared, ['api', 'projections']);
    second = await start(shared, ['api']);
    elsewhere = await start(other, ['api', 'projections']);
  });

  afterAll(async () => {
    for (const platform of platforms.reverse()) await platform.stop();
    await dropTestSchema(services.databaseUrl, shared);
    await dropTestSchema(services.databaseUrl, other);
  });

  const run = async <Name extends string>(url: string, name: Name, query: string, variables: object) => {
    const response = await graphql<Record<Name, CommandResult>>(url, query, { ...variables });
    expect(response.errors).toBeUndefined();
    return response.data![name];
  };
  const create = (url: string, name: string) =>
    run(url, 'createPipeline', CREATE, {
      input: { name, source: { topic: uniqueTopic('in') }, steps: [], sink: { topic: uniqueTopic('out') } },
    });
  const received = async (subscriber: { received: GraphQLResponse[] }, count: number) => {
    await waitFor(async () => subscriber.received.length >= count);
    return subscriber.received;
  };

  it('delivers every change made through either instance to subscribers of both, and none to another deployment', async () => {
    const onFirst = subscribe(first, CHANGES);
    const onSecond = subscribe(second, CHANGES);
    const onElsewhere = subscribe(elsewhere, CHANGES);
    await Promise.all([onFirst.ready, onSecond.ready, onElsewhere.ready]);
    try {
      // When mutations arrive at both instances of the shared deployment
      const a = await create(first, 'Made on the first');
      const b = await create(second, 'Made on the second');
      const aActivated = await run(second, 'activatePipeline', ACTIVATE, { id: a.pipelineId });
      const bActivated = await run(first, 'activatePipeline', ACTIVATE, { id: b.pipelineId });
      const changes = [
        change('PipelineCreated', a, 'draft'),
        change('PipelineCreated', b, 'draft'),
        change('PipelineActivated', aActivated, 'active'),
        change('PipelineActivated', bActivated, 'active'),
      ];

      // Then subscribers of both instances receive all of them, in the order they happened
      expect(await received(onFirst, 4)).toEqual(changes);
      expect(await received(onSecond, 4)).toEqual(changes);

      // When the other deployment changes a pipeline of its own
      const c = await create(elsewhere, 'Made elsewhere');
      // Then its subscriber receives that change and nothing of the shared deployment's, which
      // Redis delivered before it, were it on the same channel
      expect(await received(onElsewhere, 1)).toEqual([change('PipelineCreated', c, 'draft')]);

      // And a change after it reaches the shared deployment's subscribers with nothing between
      const aPaused = await run(second, 'pausePipeline', PAUSE, { id: a.pipelineId });
      const all = [...changes, change('PipelinePaused', aPaused, 'paused')];
      expect(await received(onFirst, 5)).toEqual(all);
      expect(await received(onSecond, 5)).toEqual(all);
      expect(onElsewhere.received).toHaveLength(1);
    } finally {
      await Promise.all([onFirst.close(), onSecond.close(), onElsewhere.close()]);
    }
  });
});
