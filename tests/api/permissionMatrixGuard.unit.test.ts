import type { IResolvers } from 'mercurius';
import { describe, expect, it } from 'vitest';
import type { ApiContext, Principal } from '../../src/api/apiServices.js';
import { authorize } from '../../src/api/authorize.js';
import { authorizeRootFields } from '../../src/api/authorizeRootFields.js';
import type { EventToAppend } from '../../src/infra/eventstore/eventStore.js';

type Resolver = (root: unknown, args: Record<string, unknown>, context: ApiContext, info: unknown) => unknown;

const user = (role: Principal['role']): Principal => ({
  kind: 'user',
  userId: 'u-1',
  role,
  pipelineIds: null,
});
const key = (pipelineIds: string[]): Principal => ({
  kind: 'apiKey',
  userId: 'u-1',
  role: 'viewer',
  pipelineIds,
});

const contextOf = (principal: Principal) => {
  const appended: { streamId: string; events: readonly EventToAppend[] }[] = [];
  const context = {
    principal,
    actor: principal.userId ?? 'anonymous',
    correlationId: 'c-1',
    services: {
      now: () => new Date('2026-03-01T09:00:00.000Z'),
      eventStore: {
        append: async (streamId: string, events: readonly EventToAppend[]) => {
          appended.push({ streamId, events });
          return { nextExpectedRevision: 0, position: 1 };
        },
      },
    },
  } as unknown as ApiContext;
  return { context, appended };
};

async function* changes(...pipelineIds: string[]) {
  for (const id of pipelineIds) yield { event: 'PipelinePaused', pipeline: { id } };
}

const resolvers = authorizeRootFields({
  Query: {
    pipeline: (_root: unknown, args: { id: string }) => ({ id: args.id }),
    // As the areas' resolvers do: they ask again, without the resource the guard checked.
    runs: (_root: unknown, _args: unknown, context: ApiContext) => {
      authorize(context, 'run.read');
      return [];
    },
  },
  Subscription: {
    pipelineChanged: { subscribe: async () => changes('p-1', 'p-2', 'p-1'), resolve: (m: unknown) => m },
  },
} as IResolvers) as unknown as {
  Query: Record<string, Resolver>;
  Subscription: Record<string, { subscribe: Resolver }>;
};

const collect = async (iterable: AsyncIterable<unknown>) => {
  const all: unknown[] = [];
  for await (const value of iterable) all.push(value);
  return all;
};

describe('root fields guarded by their action', () => {
  it('runs the resolver when the role allows the field, and refuses with FORBIDDEN before it when not', async () => {
    expect(resolvers.Query.pipeline?.(null, { id: 'p-1' }, contextOf(user('viewer')).context, null)).toEqual({
      id: 'p-1',
    });
    const anonymous = contextOf({ kind: 'anonymous', userId: null, role: null, pipelineIds: null });
    expect(() => resolvers.Query.pipeline?.(null, { id: 'p-1' }, anonymous.context, null)).toThrow(
      expect.objectContaining({ code: 'UNAUTHENTICATED' }),
    );
  });

  it('lets a resolver ask again without the resource once the guard checked it, and only then', () => {
    const scoped = contextOf(key(['p-1'])).context;

    expect(resolvers.Query.runs?.(null, { pipelineId: 'p-1' }, scoped, null)).toEqual([]);
    expect(() => authorize(contextOf(key(['p-1'])).context, 'run.read')).toThrow(
      expect.objectContaining({ code: 'FORBIDDEN' }),
    );
  });

  it('records a refusal in the day’s security stream without waiting for it', async () => {
    const { context, appended } = contextOf(key(['p-1']));

    expect(() => resolvers.Query.pipeline?.(null, { id: 'p-2' }, context, null)).toThrow(
      expect.objectContaining({
        code: 'FORBIDDEN',
        message: 'Not allowed: the API key is not for pipeline p-2',
      }),
    );
    await Promise.resolve();
    expect(appended).toEqual([
      {
        streamId: 'security-2026-03-01',
        events: [
          {
            type: 'AccessDenied',
            data: {
              actor: 'u-1',
              principalKind: 'apiKey',
              role: 'viewer',
              action: 'pipeline.read',
              reason: 'the API key is not for pipeline p-2',
              pipelineId: 'p-2',
              deniedAt: '2026-03-01T09:00:00.000Z',
            },
            metadata: {
              actor: 'u-1',
              correlationId: 'c-1',
              occurredAt: '2026-03-01T09:00:00.000Z',
              schemaVersion: 1,
            },
          },
        ],
      },
    ]);
  });

  it('delivers a key limited to pipelines only its pipelines’ events', async () => {
    const { context } = contextOf(key(['p-1']));
    const subscribe = resolvers.Subscription.pipelineChanged!.subscribe;

    const delivered = await collect(
      (await subscribe(null, { id: 'p-1' }, context, null)) as AsyncIterable<unknown>,
    );

    expect(delivered).toEqual([
      { event: 'PipelinePaused', pipeline: { id: 'p-1' } },
      { event: 'PipelinePaused', pipeline: { id: 'p-1' } },
    ]);
  });

  it('checks every event against the principal as it is then: a role that lost the action gets no more', async () => {
    const { context } = contextOf(user('viewer'));
    const events = (await resolvers.Subscription.pipelineChanged!.subscribe(
      null,
      {},
      context,
      null,
    )) as AsyncIterator<unknown>;

    expect(await events.next()).toEqual({
      done: false,
      value: { event: 'PipelinePaused', pipeline: { id: 'p-1' } },
    });
    (context as { principal: Principal }).principal = {
      kind: 'anonymous',
      userId: null,
      role: null,
      pipelineIds: null,
    };
    expect(await events.next()).toEqual({ done: true, value: undefined });
  });
});
