import type { FastifyInstance, FastifyPluginAsync, FastifyRequest } from 'fastify';
import fastifyPlugin from 'fastify-plugin';
import { type DocumentNode, Kind, type OperationDefinitionNode } from 'graphql';
import type { MercuriusContext } from 'mercurius';
import {
  collectNodeMetrics,
  graphqlOperationDuration,
  httpRequestDuration,
} from '../infra/metrics/metrics.js';

// Operation names are chosen by clients: past this many distinct ones, new names count as
// `other`, so a client sending random names cannot grow the registry without bound.
const MAX_OPERATION_NAMES = 200;

/**
 * Times every HTTP request (by route pattern, so `/graphql?query=...` is one series) and every
 * GraphQL operation over HTTP (by operation name and type), and starts Node's default metrics.
 * Registered after Mercurius, whose GraphQL hooks it adds.
 */
const httpMetricsPlugin: FastifyPluginAsync = async (app) => {
  collectNodeMetrics();
  // Synchronous: an async hook costs every request a promise and a tick.
  app.addHook('onResponse', (request, reply, done) => {
    httpRequestDuration.observe(
      {
        route: request.routeOptions.url ?? 'unmatched',
        method: request.method,
        status_code: String(reply.statusCode),
      },
      reply.elapsedTime / 1000,
    );
    done();
  });
  addGraphQLOperationTiming(app);
};

export const httpMetrics = fastifyPlugin(httpMetricsPlugin, { name: 'tributary-http-metrics' });

const addGraphQLOperationTiming = (app: FastifyInstance) => {
  const started = new WeakMap<MercuriusContext, { at: bigint; name: string; type: string }>();
  const names = new Set<string>();
  const label = (name: string) => {
    if (names.has(name)) return name;
    if (names.size >= MAX_OPERATION_NAMES) return 'other';
    names.add(name);
    return name;
  };
  app.graphql.addHook('preExecution', (_schema, document, context) => {
    const operation = chosenOperation(document, context.reply.request);
    started.set(context, {
      at: process.hrtime.bigint(),
      name: label(operation?.name?.value ?? 'anonymous'),
      type: operation?.operation ?? 'unknown',
    });
  });
  app.graphql.addHook('onResolution', (_execution, context) => {
    const operation = started.get(context);
    if (!operation) return;
    started.delete(context);
    const seconds = Number(process.hrtime.bigint() - operation.at) / 1e9;
    graphqlOperationDuration.observe(
      { operation_name: operation.name, operation_type: operation.type },
      seconds,
    );
  });
};

// A document may hold several operations; the request's `operationName` picks the one that runs.
const chosenOperation = (document: DocumentNode, request: FastifyRequest) => {
  const operations = document.definitions.filter(
    (definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION,
  );
  if (operations.length <= 1) return operations[0];
  const params = (request.method === 'GET' ? request.query : request.body) as
    | { operationName?: unknown }
    | undefined;
  return operations.find((operation) => operation.name?.value === params?.operationName);
};
