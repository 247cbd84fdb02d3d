import Fastify, { type FastifyRequest, LogController } from 'fastify';
import mercurius from 'mercurius';
import { metricsRegistry } from '../infra/metrics/metrics.js';
import type { Logger } from '../logger.js';
import type { ApiServices } from './apiServices.js';
import {
  type Authentication,
  authenticateForContext,
  authenticationDisabled,
  type Credentials,
  credentialsOf,
} from './authentication.js';
import { formatGraphQLErrors } from './formatGraphQLErrors.js';
import {
  correlationRequestId,
  type HardeningOptions,
  hardening,
  hardeningValidationRules,
} from './hardening.js';
import { type HealthOptions, health } from './health.js';
import { httpMetrics } from './httpMetrics.js';
import { loadSchema } from './loadSchema.js';
import { type ApiLimits, addQueryCostLimit, defaultApiLimits, mercuriusLimitOptions } from './queryLimits.js';
import { loaders, resolvers } from './resolvers/resolvers.js';

const schema = loadSchema();

export interface ApiOptions {
  services: ApiServices;
  logger: Logger;
  /** An mqemitter: in memory for one process, Redis-backed when several API instances share subscribers. */
  emitter: object;
  /** GraphiQL at /graphiql; off in production. */
  graphiql: boolean;
  /** What one request may ask; `defaultApiLimits` for what is not given. */
  limits?: Partial<ApiLimits>;
  /**
   * Who each request is (from its Authorization or X-Api-Key header, or a subscription's
   * `connection_init` payload); absent: authentication is off and every request acts as the
   * development principal.
   */
  authentication?: Authentication;
  /** The dependencies `/health/ready` checks; none when absent. */
  health?: HealthOptions;
  /** Security headers, CSRF and rate limits; the defaults when absent. */
  hardening?: HardeningOptions;
}

/** Fastify with Mercurius: GraphQL over HTTP at /graphql, subscriptions over WebSocket on the same path. */
export const buildApi = async (options: ApiOptions) => {
  const limits: ApiLimits = { ...defaultApiLimits, ...options.limits };
  const app = Fastify({
    loggerInstance: options.logger,
    bodyLimit: limits.maxBodyBytes,
    genReqId: correlationRequestId,
    // The same field processors log, so one search finds a command's whole path.
    logController: new LogController({ requestIdLogLabel: 'correlationId' }),
  });
  const authentication = options.authentication ?? authenticationDisabled();
  const context = async (request: FastifyRequest) => ({
    services: options.services,
    sessionTokens: authentication.sessionTokens,
    ...(await authenticateForContext(authentication, credentialsOf(request.headers))),
    commandId: headerValue(request, 'idempotency-key'),
    correlationId: headerValue(request, 'x-correlation-id') ?? request.id,
  });
  await app.register(hardening, options.hardening ?? {});
  await app.register(mercurius, {
    schema,
    resolvers,
    loaders,
    context,
    graphiql: options.graphiql,
    jit: 1,
    validationRules: hardeningValidationRules(options.hardening),
    ...mercuriusLimitOptions(limits),
    errorFormatter: formatGraphQLErrors,
    subscription: {
      emitter: options.emitter,
      // Credentials of the upgrade request are read again at each delivery too (see onConnect).
      context: async (_socket, request) => {
        const credentials = credentialsOf(request.headers);
        const found = await context(request);
        return credentials.authorization || credentials.apiKey
          ? { ...found, currentPrincipal: currentPrincipalOf(authentication, credentials) }
          : found;
      },
      // graphql-ws sends credentials in `connection_init` ({ authorization: 'Bearer …' }); they
      // replace whatever the upgrade request's headers said. Refused credentials refuse the socket.
      onConnect: async ({ payload }: { payload?: Record<string, unknown> }) => {
        const credentials = credentialsOf(payload);
        if (!credentials.authorization && !credentials.apiKey) return true;
        const found = await authenticateForContext(authentication, credentials);
        return (
          found.authenticationError === undefined && {
            principal: found.principal,
            actor: found.actor,
            authenticationError: undefined,
            currentPrincipal: currentPrincipalOf(authentication, credentials),
          }
        );
      },
    },
  });
  // The request's credentials were refused: the whole operation fails with why, before it runs.
  // Synchronous (Mercurius awaits either way): an async hook costs every operation a promise.
  app.graphql.addHook('preExecution', (_schema, _document, requestContext) => {
    if (requestContext.authenticationError !== undefined) throw requestContext.authenticationError;
  });
  app.graphql.addHook('preSubscriptionExecution', (_schema, _document, requestContext) => {
    if (requestContext.authenticationError !== undefined) throw requestContext.authenticationError;
  });
  addQueryCostLimit(app, limits);
  await app.register(health, options.health ?? { checks: {} });
  await app.register(httpMetrics);
  // This process's metrics (processors' record counts and lag, the relay's lag) for Prometheus.
  app.get('/metrics', async (_request, reply) =>
    reply.type(metricsRegistry.contentType).send(await metricsRegistry.metrics()),
  );
  return app;
};
export type Api = Awaited<ReturnType<typeof buildApi>>;

// Header values are capped so a client cannot make us store arbitrarily large metadata.
const headerValue = (request: FastifyRequest, name: string): string | undefined => {
  const value = request.headers[name];
  return typeof value === 'string' && value.length > 0 ? value.slice(0, 200) : undefined;
};

/** The principal the credentials stand for now; rejects when they no longer hold. */
const currentPrincipalOf = (authentication: Authentication, credentials: Credentials) => async () =>
  (await authentication.authenticate(credentials)).principal;
