import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyPluginAsync } from 'fastify';
import fastifyPlugin from 'fastify-plugin';

// What a correlation id may hold: enough for UUIDs, W3C trace ids and most gateways' ids, and
// nothing that could forge a log line or a header (no spaces, quotes, control characters).
const SAFE_CORRELATION_ID = /^[A-Za-z0-9._:@/+=-]{1,200}$/;

/**
 * Fastify's request id: the caller's `X-Correlation-Id` when it is made of safe characters and
 * at most 200 long, else a new UUID (unique across instances, unlike Fastify's `req-1`). Every
 * request log line carries it, and commands record it on their events, which processors log.
 */
export const correlationRequestId = (request: IncomingMessage): string => {
  const given = request.headers['x-correlation-id'];
  return typeof given === 'string' && SAFE_CORRELATION_ID.test(given) ? given : randomUUID();
};

/** What `hardening` guards the API with. */
export interface HardeningOptions {
  /** GraphiQL's page needs inline scripts: the content security policy is relaxed there only. */
  graphiql?: boolean;
}

/**
 * Guards every route of the API it is registered on: the correlation id answered back in
 * `X-Correlation-Id`, so a caller without one can still quote it.
 */
const hardeningPlugin: FastifyPluginAsync<HardeningOptions> = async (app) => {
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-correlation-id', request.id);
  });
};

export const hardening = fastifyPlugin(hardeningPlugin, { name: 'tributary-hardening' });
