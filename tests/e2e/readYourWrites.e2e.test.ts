import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Platform } from '../../src/platform.js';
import { createTestSchema, dropTestSchema, testServices, uniqueTopic } from '../setup/testServices.js';
import { graphql } from './graphqlClient.js';
import { startTestPlatform } from './testPlatform.js';

const CREATE = `mutation Create($input: CreatePipelineInput!) {
  createPipeline(input: $input) { pipelineId position }
}`;

describe('read your writes', () => {
  const services = testServices();
  const schema = createTestSchema('e2e_ryw');
  let platform: Platform;
  let url: string;

  beforeAll(async () => {
    platform = await startTestPlatform(schema);
    url = platform.graphqlUrl!;
  });

  afterAll(async () => {
    await platform?.stop();
    await dropTestSchema(services.databaseUrl, schema);
  });

  const create = async (name: string) => {
    const input = {
      name,
      source: { topic: uniqueTopic('in') },
      steps: [],
      sink: { topic: uniqueTopic('out') },
    };
    const response = await graphql<{ createPipeline: { pipelineId: string; position: string } }>(
      url,
      CREATE,
      {
        input,
      },
    );
    return response.data!.createPipeline;
  };

  it('answers a query given consistentWith with the write it names, with no polling', async () => {
    for (let i = 0; i < 5; i++) {
      const { pipelineId, position } = await create(`Argument ${i}`);
      const read = await graphql(
        url,
        'query ($id: ID!, $at: Position) { pipeline(id: $id, consistentWith: $at) { name } }',
        {
          id: pipelineId,
          at: position,
        },
      );
      expect(read).toEqual({ data: { pipeline: { name: `Argument ${i}` } } });
    }
  });

  it('does the same for a query sent with the X-Consistent-With header', async () => {
    const { pipelineId, position } = await create('Header');
    const read = await graphql(
      url,
      'query ($id: ID!) { pipeline(id: $id) { name } }',
      { id: pipelineId },
      {
        'x-consistent-with': position,
      },
    );
    expect(read).toEqual({ data: { pipeline: { name: 'Header' } } });
  });

  it('refuses a consistentWith that is not a position, naming it', async () => {
    const read = await graphql(url, '{ pipelines(first: 1, consistentWith: "soon") { totalCount } }');
    expect(read.errors?.[0]?.extensions).toMatchObject({
      code: 'VALIDATION_FAILED',
      problems: [{ path: 'consistentWith', message: expect.stringContaining('must be a position') }],
    });
  });
});
