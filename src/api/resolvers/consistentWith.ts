import type { IResolvers } from 'mercurius';
import { ValidationError } from '../../errors.js';
import { waitForPosition } from '../../projections/runner/waitForPosition.js';
import type { ApiContext } from '../apiServices.js';

export const CONSISTENT_WITH_HEADER = 'x-consistent-with';
export const CONSISTENCY_TIMEOUT_HEADER = 'x-consistency-timeout-ms';
const DEFAULT_TIMEOUT_MS = 5_000;
const MAX_TIMEOUT_MS = 30_000;

type Resolver = (root: unknown, args: Record<string, unknown>, context: ApiContext, info: unknown) => unknown;

// One wait per request and position, shared by every root field of the query.
const waits = new WeakMap<object, Map<number, Promise<void>>>();

/**
 * Read-your-writes for every Query field, without any area doing anything: each Query resolver
 * first waits until every read model has committed the position given in the
 * `X-Consistent-With` header or in a `consistentWith` argument the field declares (the
 * argument is consumed here; the area's resolver never sees it). See projections.graphql.
 */
export const withConsistentWith = (resolvers: IResolvers): IResolvers => {
  const query = resolvers.Query as Record<string, unknown> | undefined;
  if (!query) return resolvers;
  return {
    ...resolvers,
    Query: Object.fromEntries(
      Object.entries(query).map(([field, resolver]) => [field, consistent(resolver)]),
    ),
  } as IResolvers;
};

const consistent = (resolver: unknown): unknown => {
  if (typeof resolver === 'function') {
    const inner = resolver as Resolver;
    return async (root: unknown, args: Record<string, unknown>, context: ApiContext, info: unknown) => {
      const { consistentWith, ...rest } = args ?? {};
      await waitForRequest(context, consistentWith);
      return inner(root, consistentWith === undefined ? args : rest, context, info);
    };
  }
  if (resolver && typeof resolver === 'object' && 'resolve' in resolver) {
    return { ...resolver, resolve: consistent(resolver.resolve) };
  }
  return resolver;
};

const waitForRequest = async (context: ApiContext, argument: unknown) => {
  const headers = context.reply?.request.headers ?? {};
  const positions = [
    parsePosition(headers[CONSISTENT_WITH_HEADER], 'X-Consistent-With'),
    parsePosition(argument, 'consistentWith'),
  ];
  const position = Math.max(0, ...positions.filter((value): value is number => value !== null));
  if (position === 0) return;
  let byPosition = waits.get(context);
  if (!byPosition) {
    byPosition = new Map();
    waits.set(context, byPosition);
  }
  let wait = byPosition.get(position);
  if (!wait) {
    const timeoutMs = parseTimeout(headers[CONSISTENCY_TIMEOUT_HEADER]);
    wait = waitForPosition(context.services.pool, position, { timeoutMs });
    byPosition.set(position, wait);
  }
  await wait;
};

const parsePosition = (value: unknown, path: string): number | null => {
  if (value === undefined || value === null) return null;
  const text = String(value).trim();
  const position = Number(text);
  if (!/^\d{1,16}$/.test(text) || !Number.isSafeInteger(position)) {
    throw new ValidationError([
      { path, message: 'must be a position: a whole number, as a mutation returned it' },
    ]);
  }
  return position;
};

const parseTimeout = (value: unknown) => {
  const timeout =
    typeof value === 'string' && /^\d{1,6}$/.test(value.trim()) ? Number(value) : DEFAULT_TIMEOUT_MS;
  return Math.min(timeout, MAX_TIMEOUT_MS);
};
