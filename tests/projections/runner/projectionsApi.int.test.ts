import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiContext } from '../../../src/api/apiServices.js';
import { type Api, buildApi } from '../../../src/api/buildApi.js';
import { withConsistentWith } from '../../../src/api/resolvers/consistentWith.js';
import { createPubSub, type PubSub } from '../../../src/infra/pubsub/createPubSub.js';
import { createLogger } from '../../../src/logger.js';
import { graphql, subscribe } from '../../e2e/graphqlClient.js';
import { waitFor } from '../../setup/waitFor.js';
import { type RunnerTestBed, runnerTestBed, tallyProjection } from './runnerTestBed.js';

const STATUS = `{ projectionStatus {
  name status generation position head lag error { message position } rebuild { generation done total }
} }`;
const REBUILD =
  'mutation ($name: String!) { rebuildProjection(name: $name) { name status rebuild { generation } } }';
const RESUME = 'mutation ($name: String!) { resumeProjection(name: $name) { name status } }';
const PROGRESS = `subscription ($name: String) { projectionProgress(name: $name) {
  name status generation rebuild { done total eventsPerSecond etaSeconds }
} }`;

describe('the projections area of the API', () => {
  let bed: RunnerTestBed;
  let pubSub: PubSub;
  let api: Api;
  let url: string;

  beforeAll(async () => {
    bed = await runnerTestBed();
    pubSub = createPubSub({ redisUrl: null, namespace: bed.schema });
    api = await buildApi({
      services: {
        pool: bed.pool,
        eventStore: bed.eventStore,
        newId: () => 'id',
        now: () => new Date(),
        secretCipher: null,
      },
      logger: createLogger({ logLevel: 'silent' }),
      emitter: pubSub.emitter,
      graphiql: false,
    });
    url = `${await api.listen({ host: '127.0.0.1', port: 0 })}/graphql`;
    // A slow projection, so that a query made right after a write has something to wait for
    await bed.start(tallyProjection('tally', { delayMs: 300 }), { publish: pubSub.publish });
  });

  afterAll(async () => {
    await api?.close();
    await pubSub?.close();
    await bed?.tearDown();
  });

  it('lists every projection with where it is', async () => {
    const head = await bed.count(['a']);
    await waitFor(async () => (await bed.status('tally'))?.position === head);
    expect(await graphql(url, STATUS)).toEqual({
      data: {
        projectionStatus: [
          {
            name: 'tally',
            status: 'running',
            generation: 1,
            position: String(head),
            head: expect.stringMatching(/^\d+$/),
            lag: expect.any(Number),
            error: null,
            rebuild: null,
          },
        ],
      },
    });
  });

  it('makes a query sent with X-Consistent-With wait until the read models have the write', async () => {
    const position = await bed.count(['read-your-write']);
    const response = await graphql<{ projectionStatus: { position: string }[] }>(
      url,
      '{ projectionStatus { position } }',
      {},
      { 'x-consistent-with': String(position) },
    );
    expect(response.errors).toBeUndefined();
    expect(Number(response.data!.projectionStatus[0]!.position)).toBeGreaterThanOrEqual(position);
    expect(await bed.rows('SELECT count FROM tally_counts WHERE id = $1', ['read-your-write'])).toEqual([
      { count: 1 },
    ]);
  });

  it('answers CONSISTENCY_TIMEOUT when the read models do not get there in time, and VALIDATION_FAILED for a bad position', async () => {
    const head = await bed.eventStore.headPosition();
    const late = await graphql(
      url,
      '{ apiVersion }',
      {},
      {
        'x-consistent-with': String(head + 1_000),
        'x-consistency-timeout-ms': '200',
      },
    );
    expect(late).toEqual({
      data: null,
      errors: [
        {
          message: `The read models did not reach position ${head + 1_000} within 200 ms: tally at ${head}`,
          locations: [{ line: 1, column: 3 }],
          path: ['apiVersion'],
          extensions: { code: 'CONSISTENCY_TIMEOUT', category: 'UNAVAILABLE' },
        },
      ],
    });
    const bad = await graphql(url, '{ apiVersion }', {}, { 'x-consistent-with': 'soon' });
    expect(bad.errors?.[0]?.extensions).toEqual({
      code: 'VALIDATION_FAILED',
      category: 'VALIDATION',
      problems: [
        {
          path: 'X-Consistent-With',
          message: 'must be a position: a whole number, as a mutation returned it',
        },
      ],
    });
  });

  it('also waits on a consistentWith argument a Query field declares, which the area resolver never sees', async () => {
    const seen: Record<string, unknown>[] = [];
    const wrapped = withConsistentWith({
      Query: { thing: (_root: unknown, args: Record<string, unknown>) => seen.push(args) },
    }) as unknown as { Query: { thing: (...args: unknown[]) => Promise<unknown> } };
    const context = { services: { pool: bed.pool } } as unknown as ApiContext;
    const position = await bed.count(['by-argument']);
    await wrapped.Query.thing(null, { consistentWith: String(position), id: 'x' }, context, null);
    expect(seen).toEqual([{ id: 'x' }]);
    expect(await bed.rows('SELECT count FROM tally_counts WHERE id = $1', ['by-argument'])).toEqual([
      { count: 1 },
    ]);
  });

  it('rebuilds on request, with progress live over a subscription', async () => {
    const progress = subscribe(url, PROGRESS, { name: 'tally' });
    await progress.ready;
    const requested = await graphql(url, REBUILD, { name: 'tally' });
    expect(requested).toEqual({
      data: { rebuildProjection: { name: 'tally', status: 'running', rebuild: { generation: null } } },
    });
    const swapped = await progress.next(
      (message) => (message.data?.projectionProgress as { generation: number })?.generation === 2,
      20_000,
    );
    expect(swapped.data).toEqual({
      projectionProgress: { name: 'tally', status: 'running', generation: 2, rebuild: null },
    });
    await progress.close();
  });

  it('refuses to resume a projection that has not failed, and names an unknown one', async () => {
    expect(await graphql(url, RESUME, { name: 'tally' })).toMatchObject({
      data: null,
      errors: [
        { path: ['resumeProjection'], extensions: { code: 'PROJECTION_NOT_FAILED', category: 'CONFLICT' } },
      ],
    });
    expect(await graphql(url, REBUILD, { name: 'nope' })).toMatchObject({
      data: null,
      errors: [
        {
          message: 'No projection is named nope',
          extensions: { code: 'PROJECTION_NOT_FOUND', category: 'NOT_FOUND' },
        },
      ],
    });
  });
});
