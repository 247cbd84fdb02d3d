import { GraphQLError } from 'graphql';
import type { IResolvers } from 'mercurius';
import { isTributaryError } from '../errors.js';
import type { ApiContext, Principal } from './apiServices.js';
import { type AccessResource, authorizeRootField, isAllowed } from './authorize.js';
import { FIELD_ACTIONS, type FieldAction, fieldActionOf } from './fieldActions.js';

type Args = Record<string, unknown>;
type Resolver = (root: unknown, args: Args, context: ApiContext, info: unknown) => unknown;

const text = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);

const resourceOf = (field: FieldAction, args: Args): AccessResource => ({
  pipelineId: text(field.pipelineId?.(args ?? {})),
  userId: text(field.userId?.(args ?? {})),
});

const guard = (field: FieldAction, resolver: unknown): unknown => {
  if (resolver && typeof resolver === 'object' && 'resolve' in resolver) {
    return { ...resolver, resolve: guard(field, resolver.resolve) };
  }
  const inner = resolver as Resolver;
  return (root: unknown, args: Args, context: ApiContext, info: unknown) => {
    authorizeRootField(context, field.action, resourceOf(field, args));
    return inner(root, args, context, info);
  };
};

/**
 * Checked on subscribe, and again for every event before it is delivered: the principal is
 * read at delivery (authentication may replace it when a role changes), and a key limited to
 * pipelines gets only its pipelines' events. A refused event is skipped, not an error: the
 * subscriber asked for a stream, not for that event.
 */
const guardSubscription = (field: FieldAction, resolver: unknown, name: string): unknown => {
  const subscription = resolver as { subscribe?: Resolver } | undefined;
  if (!subscription?.subscribe) throw new Error(`Subscription.${name} has no subscribe`);
  const subscribe = subscription.subscribe;
  return {
    ...subscription,
    subscribe: async (root: unknown, args: Args, context: ApiContext, info: unknown) => {
      authorizeRootField(context, field.action, resourceOf(field, args));
      const events = (await subscribe(root, args, context, info)) as AsyncIterable<unknown>;
      const allowed = (principal: Principal, message: unknown) =>
        isAllowed(principal, field.action, {
          pipelineId: text(field.deliveredPipelineId?.((message ?? {}) as Args)),
          // The subscribe check named the user, if any; events carry none of their own.
          userId: resourceOf(field, args).userId,
        });
      const { currentPrincipal } = context;
      if (!currentPrincipal) return keepOnly(events, (message) => allowed(context.principal, message));
      // The role may have changed since the socket opened: each event is checked against the
      // principal as it is now. Credentials that stopped holding throw, ending the subscription.
      return keepOnly(events, async (message) => allowed(await currentPrincipal(), message));
    },
  };
};

// An async iterator over `source` that skips what `keep` refuses, and closes `source` when
// closed itself (a client unsubscribing must release the pub/sub subscription).
const keepOnly = (source: AsyncIterable<unknown>, keep: (value: unknown) => boolean | Promise<boolean>) => {
  const iterator = source[Symbol.asyncIterator]();
  const filtered: AsyncIterableIterator<unknown> = {
    [Symbol.asyncIterator]: () => filtered,
    next: async () => {
      for (;;) {
        const result = await iterator.next();
        if (result.done) return result;
        let kept: boolean;
        try {
          kept = await keep(result.value);
        } catch (error) {
          // Mercurius sends a subscription's error as it is, without the error formatter: the
          // code goes into the error itself, as formatGraphQLErrors would have put it.
          throw isTributaryError(error)
            ? new GraphQLError(error.message, { extensions: { code: error.code, category: error.category } })
            : error;
        }
        if (kept) return result;
      }
    },
    return: (value?: unknown) => iterator.return?.(value) ?? Promise.resolve({ done: true, value }),
    throw: (error?: unknown) => iterator.throw?.(error) ?? Promise.reject(error),
  };
  return filtered;
};

/**
 * Every Query, Mutation and Subscription field guarded by its action in FIELD_ACTIONS, before
 * anything of the area runs: one place, so a field added later is guarded or the API does not
 * start (a resolver for a field the table lacks throws here).
 */
export const authorizeRootFields = (resolvers: IResolvers): IResolvers => {
  if (alreadyGuarded.has(resolvers)) return resolvers;
  const all = resolvers as Record<string, Record<string, unknown> | undefined>;
  const guarded: Record<string, unknown> = { ...all };
  for (const type of Object.keys(FIELD_ACTIONS) as (keyof typeof FIELD_ACTIONS)[]) {
    const fields = all[type] ?? {};
    for (const name of Object.keys(fields)) {
      if (!fieldActionOf(type, name)) throw new Error(`${type}.${name} has no action in fieldActions.ts`);
    }
    guarded[type] = Object.fromEntries(
      Object.entries(FIELD_ACTIONS[type] as Record<string, FieldAction>).flatMap(([name, field]) => {
        // A field the schema has and no resolver answers reads the root value, which is empty.
        if (!(name in fields)) return [];
        if (type === 'Subscription') return [[name, guardSubscription(field, fields[name], name)]];
        return [[name, guard(field, fields[name])]];
      }),
    );
  }
  alreadyGuarded.add(guarded);
  return guarded as IResolvers;
};

// Guarding twice would only check twice; this keeps the composition root and tests free to wrap.
const alreadyGuarded = new WeakSet<object>();
