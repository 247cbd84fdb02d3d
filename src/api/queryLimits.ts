import type { FastifyInstance, FastifyRequest } from 'fastify';
import { type DocumentNode, GraphQLError, type GraphQLSchema } from 'graphql';
import { type ErrorCategory, type ErrorCode, errorCodes, TributaryError } from '../errors.js';
import { type QueryCost, queryCost } from './queryCost.js';

/** What one request may ask of the API. Every operation is checked before it runs. */
export interface ApiLimits {
  /** Largest request body in bytes (Fastify's `bodyLimit`). WebSocket messages have Mercurius' own 1 MiB cap. */
  maxBodyBytes: number;
  /**
   * Deepest nesting of data fields. Introspection is left out (GraphiQL's own query is 15
   * deep) and capped instead at one pass through types' fields per path.
   */
  maxDepth: number;
  /**
   * Most tokens in a query document. Parsing and validation run before the cost is known and
   * some validation rules grow with the square of the fields; this bounds that work.
   */
  maxTokens: number;
  /** Highest estimated cost of an operation (see `queryCost`). */
  maxCost: number;
  /** Items assumed in a list of objects that takes no `first` argument. */
  defaultListSize: number;
}

/**
 * A page of pipelines' runs' counts is 8 fields deep. A page of 20 pipelines with every field,
 * steps and their renames included costs about 4,800, the same page with 5 runs each about
 * 700; 100 pipelines with all their versions' steps cost over 200,000 and are refused.
 * Introspection costs nothing.
 */
export const defaultApiLimits: Readonly<ApiLimits> = Object.freeze({
  maxBodyBytes: 1_048_576,
  maxDepth: 12,
  maxTokens: 10_000,
  maxCost: 20_000,
  defaultListSize: 10,
});

/** A request refused before GraphQL runs: the error formatter answers with this status. */
export class RequestRejectedError extends TributaryError {
  constructor(
    code: ErrorCode,
    readonly statusCode: number,
    readonly details: Readonly<Record<string, unknown>> = {},
    message?: string,
  ) {
    super(code, message === undefined ? {} : { message });
    this.name = 'RequestRejectedError';
  }
}

/**
 * Mercurius options for the limits it enforces itself. Batched operations (a JSON array of
 * operations in one request) stay off: each operation is then one request, and the cost limit
 * bounds what one request can ask. Depth is ours (`addQueryCostLimit`), not Mercurius'
 * `queryDepth`, which counts introspection and so refuses GraphiQL's query at any useful limit.
 */
export const mercuriusLimitOptions = (limits: ApiLimits) => ({
  graphql: { parseOptions: { maxTokens: limits.maxTokens } },
  allowBatchedQueries: false,
  additionalRouteOptions: { preValidation: rejectBatchedOperations },
});

// Without this, Mercurius answers an array with a schema error ("body must be object").
const rejectBatchedOperations = async (request: FastifyRequest) => {
  if (Array.isArray(request.body)) {
    throw new RequestRejectedError(
      'INVALID_QUERY',
      400,
      {},
      'Batched operations are not accepted: send one operation per request',
    );
  }
};

// GraphiQL's introspection query goes through types' fields once per path; each further pass
// multiplies the answer by the number of types.
const MAX_TYPE_TRAVERSALS = 1;

/**
 * Rejects an operation that nests deeper than `maxDepth` (QUERY_TOO_DEEP) or whose estimated
 * cost exceeds `maxCost` (QUERY_TOO_COSTLY), before anything runs. Checked per request, after
 * validation, because the cost depends on the variables (`first: $n`); figures that do not
 * are remembered per parsed document, which Mercurius caches and hands us again for the same
 * query text. Subscriptions are checked when they start, without their variables (Mercurius
 * does not pass them): `first` falls back to its default there.
 */
export const addQueryCostLimit = (app: Pick<FastifyInstance, 'graphql'>, limits: ApiLimits) => {
  const fixed = new WeakMap<DocumentNode, QueryCost>();
  const check = (schema: GraphQLSchema, document: DocumentNode, variables: Record<string, unknown>) => {
    let measured = fixed.get(document);
    if (measured === undefined) {
      measured = queryCost(schema, document, variables, limits);
      if (!measured.dependsOnVariables) fixed.set(document, measured);
    }
    const { cost, depth, typeTraversals } = measured;
    if (depth > limits.maxDepth) throw limitError('QUERY_TOO_DEEP', { depth, max: limits.maxDepth });
    if (typeTraversals > MAX_TYPE_TRAVERSALS) {
      const message = 'Introspection may go through the fields of types once per path';
      throw limitError('QUERY_TOO_DEEP', { typeTraversals, max: MAX_TYPE_TRAVERSALS }, message);
    }
    if (cost > limits.maxCost) throw limitError('QUERY_TOO_COSTLY', { cost, max: limits.maxCost });
  };
  app.graphql.addHook('preExecution', (schema, document, _context, variables) =>
    check(schema, document, variables ?? {}),
  );
  app.graphql.addHook('preSubscriptionExecution', (schema, document) => check(schema, document, {}));
};

const limitError = (
  code: ErrorCode,
  figures: Record<string, number>,
  message: string = errorCodes[code].message,
) => new GraphQLError(message, { extensions: { code, category: errorCodes[code].category, ...figures } });

type LimitErrorExtensions = { code: ErrorCode; category: ErrorCategory } & Record<string, unknown>;

const isErrorCode = (code: unknown): code is ErrorCode =>
  typeof code === 'string' && Object.hasOwn(errorCodes, code);

/** The extensions of an error that rejected a query before it ran, when a limit gave it a code. */
export const limitErrorExtensions = (error: Error): LimitErrorExtensions | null => {
  if (!(error instanceof GraphQLError)) return null;
  const { code } = error.extensions;
  return isErrorCode(code) ? { ...error.extensions, code, category: errorCodes[code].category } : null;
};

/**
 * Fastify's refusals of the HTTP request itself (body too large, not JSON, unsupported media
 * type) as coded errors that keep their HTTP status; null for anything else.
 */
export const asRejectedRequest = (error: Error, maxBodyBytes: number): RequestRejectedError | null => {
  if (error instanceof RequestRejectedError) return error;
  const { code, statusCode } = error as { code?: unknown; statusCode?: unknown };
  if (code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return new RequestRejectedError('REQUEST_TOO_LARGE', 413, { maxBytes: maxBodyBytes });
  }
  const isClientError = typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500;
  if (typeof code === 'string' && code.startsWith('FST_ERR_CTP_') && isClientError) {
    return new RequestRejectedError('INVALID_QUERY', statusCode, {}, error.message);
  }
  return null;
};
