import { createHash, randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import Fastify, { type FastifyPluginAsync, type FastifyReply, type FastifyRequest } from 'fastify';
import fastifyPlugin from 'fastify-plugin';
import {
  type FieldNode,
  Kind,
  NoSchemaIntrospectionCustomRule,
  type OperationDefinitionNode,
  parse,
} from 'graphql';
import type { Redis } from 'ioredis';
import { errorCodes } from '../errors.js';

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

export interface RateLimit {
  /** Requests allowed per window and key. */
  max: number;
  windowMs: number;
}

/** What `hardening` guards the API with; every field has a default. */
export interface HardeningOptions {
  /** GraphiQL's page loads its scripts from a CDN: the content security policy is relaxed there only. */
  graphiql?: boolean;
  /** Schema introspection (`__schema`, `__type`); off in production. Default: on. */
  introspection?: boolean;
  /** Every request, per token (or API key) when it has one, else per IP; null for none. Default: 3000 a minute. */
  apiRateLimit?: RateLimit | null;
  /**
   * Operations that call `login`, per IP and per account (the e-mail address asked for), on top
   * of the API's limit; null for none. Default: 10 a minute.
   */
  loginRateLimit?: RateLimit | null;
  /** Shares the counts across API instances; in memory (this process only) when absent. */
  redis?: Redis;
  /** Prefix of the rate-limit keys in Redis; deployments sharing one Redis need one each. */
  rateLimitKeyPrefix?: string;
}

const DEFAULT_API_RATE_LIMIT: RateLimit = { max: 3_000, windowMs: 60_000 };
const DEFAULT_LOGIN_RATE_LIMIT: RateLimit = { max: 10, windowMs: 60_000 };

// Bodies a browser sends cross-site without asking first (a CORS "simple request": a form, or
// fetch in no-cors mode). A GraphQL POST must come as JSON, which needs a preflight, so a page
// on another site cannot make a logged-in browser run a mutation.
const SIMPLE_CONTENT_TYPES = ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data'];

/** Mercurius' `validationRules`: refuses introspection when it is off. */
export const hardeningValidationRules = (options: HardeningOptions = {}) =>
  options.introspection === false ? [NoSchemaIntrospectionCustomRule] : [];

/**
 * Guards every route of the API it is registered on: security headers, CSRF protection for
 * GraphQL over HTTP, rate limits (answered with 429 and Retry-After), and the correlation id
 * answered back in `X-Correlation-Id`, so a caller without one can still quote it.
 */
const hardeningPlugin: FastifyPluginAsync<HardeningOptions> = async (app, options) => {
  const securityHeaders = await helmetHeaders();
  const apiRateLimit = orDefault(options.apiRateLimit, DEFAULT_API_RATE_LIMIT);
  const loginRateLimit = orDefault(options.loginRateLimit, DEFAULT_LOGIN_RATE_LIMIT);
  // With no limit the plugin and its hooks stay out: nothing to count, nothing to pay per request.
  if (apiRateLimit !== null || loginRateLimit !== null) {
    await app.register(rateLimit, {
      global: false,
      ...(options.redis && { redis: options.redis }),
      nameSpace: `${options.rateLimitKeyPrefix ?? 'tributary'}:rate-limit:`,
      // Redis away: requests go through rather than all failing; its absence shows in /health/ready.
      skipOnError: true,
    });
  }

  // Synchronous: this runs on every request, and an async hook costs a promise and a tick.
  app.addHook('onRequest', (request, reply, done) => {
    reply.headers(securityHeaders);
    reply.header('x-correlation-id', request.id);
    if (isGraphQLPost(request) && isSimpleContentType(request.headers['content-type'])) {
      refuse(reply, 415, 'INVALID_QUERY', {
        message:
          'POST /graphql takes a JSON body (Content-Type: application/json); form and plain-text bodies are refused (CSRF)',
      });
      return;
    }
    done();
  });
  if (apiRateLimit !== null) {
    const apiLimit = limiter(app, 'api', apiRateLimit, callerKey);
    app.addHook('onRequest', async (request, reply) => {
      // Probes and scrapers come often from one address, and must see the instance as it is.
      if (request.url.startsWith('/health/')) return undefined;
      return apiLimit(request, reply);
    });
  }
  if (loginRateLimit !== null) {
    const loginLimit = limiter(app, 'login', loginRateLimit, (request) => request.ip);
    // Per account too: many addresses trying one account's password share its count.
    const accountOf = new WeakMap<FastifyRequest, string>();
    const accountLimit = limiter(
      app,
      'login-account',
      loginRateLimit,
      (request) => accountOf.get(request) ?? '',
    );
    // After parsing: only the body says whether the operation logs in.
    app.addHook('preHandler', async (request, reply) => {
      const emails = isGraphQLPost(request) ? loginEmails(request.body) : null;
      if (emails === null) return undefined;
      const refused = await loginLimit(request, reply);
      if (refused) return refused;
      for (const email of new Set(emails)) {
        accountOf.set(request, digest(email.trim().toLowerCase()));
        const refusedForAccount = await accountLimit(request, reply);
        if (refusedForAccount) return refusedForAccount;
      }
      return undefined;
    });
  }
  if (options.graphiql) {
    app.addHook('onSend', async (request, reply) => {
      if (request.url.startsWith('/graphiql')) reply.header('content-security-policy', GRAPHIQL_CSP);
    });
  }
};

/**
 * The security headers @fastify/helmet (defaults) answers with. It builds helmet's middleware
 * anew on every request, for headers that do not depend on the request: they are read once, by
 * answering one request with helmet and one without, and set as they are on every response.
 */
const helmetHeaders = (): Promise<Record<string, string>> => {
  capturedHelmetHeaders ??= (async () => {
    const answer = async (withHelmet: boolean) => {
      const probe = Fastify();
      if (withHelmet) await probe.register(helmet, { global: true });
      probe.get('/', async () => '');
      const response = await probe.inject({ method: 'GET', url: '/' });
      await probe.close();
      return response.headers;
    };
    const [secured, plain] = await Promise.all([answer(true), answer(false)]);
    return Object.fromEntries(
      Object.entries(secured).flatMap(([name, value]) =>
        name in plain || typeof value !== 'string' ? [] : [[name, value]],
      ),
    );
  })();
  return capturedHelmetHeaders;
};
let capturedHelmetHeaders: Promise<Record<string, string>> | undefined;

export const hardening = fastifyPlugin(hardeningPlugin, { name: 'tributary-hardening' });

// GraphiQL (Mercurius' page) loads React and GraphiQL from unpkg and runs inline code.
const GRAPHIQL_CSP = [
  "default-src 'self'",
  "script-src 'self' 'unsafe-inline' 'unsafe-eval' https://unpkg.com",
  "style-src 'self' 'unsafe-inline' https://unpkg.com",
  "img-src 'self' data: https:",
  "font-src 'self' data: https://unpkg.com",
  // Its service worker fetches the same files from unpkg to cache them.
  "connect-src 'self' ws: wss: https://unpkg.com",
  "worker-src 'self' blob:",
].join('; ');

type RateLimiter = (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply | undefined>;

const orDefault = (limit: RateLimit | null | undefined, fallback: RateLimit) =>
  limit === undefined ? fallback : limit;

/** Per minute, as the config gives limits; 0 means none. */
export const perMinute = (max: number): RateLimit | null => (max > 0 ? { max, windowMs: 60_000 } : null);

const limiter = (
  app: Parameters<FastifyPluginAsync>[0],
  name: string,
  limit: RateLimit,
  key: (request: FastifyRequest) => string,
): RateLimiter => {
  const check = app.createRateLimit({
    max: limit.max,
    timeWindow: limit.windowMs,
    keyGenerator: (request) => `${name}:${key(request)}`,
  });
  return async (request, reply) => {
    const result = await check(request);
    if (result.isAllowed || !result.isExceeded) return undefined;
    reply.header('retry-after', String(result.ttlInSeconds));
    return refuse(reply, 429, 'RATE_LIMITED', {
      message: `Too many requests; retry in ${result.ttlInSeconds} s`,
      max: result.max,
      retryAfterSeconds: result.ttlInSeconds,
    });
  };
};

// A token is the caller's identity across IPs; only a digest of it goes to Redis.
const callerKey = (request: FastifyRequest) => {
  const credential = request.headers.authorization ?? request.headers['x-api-key'];
  if (typeof credential !== 'string' || credential === '') return `ip:${request.ip}`;
  return `token:${digest(credential)}`;
};

// Credentials and addresses are never stored in Redis as they are.
const digest = (text: string) => createHash('sha256').update(text).digest('base64url').slice(0, 22);

const isGraphQLPost = (request: FastifyRequest) =>
  request.method === 'POST' && request.url.split('?')[0] === '/graphql';

// A browser's fetch without a body type sends none, and is a simple request too.
const isSimpleContentType = (contentType: string | undefined) => {
  const mediaType = contentType?.split(';')[0]?.trim().toLowerCase() ?? '';
  return mediaType === '' || SIMPLE_CONTENT_TYPES.includes(mediaType);
};

/**
 * The e-mail addresses the request's operation logs in with (one per `login` field, under any
 * alias; given inline or as a variable), or null when it does not call `login`.
 */
const loginEmails = (body: unknown): string[] | null => {
  const { query, variables } = (body ?? {}) as { query?: unknown; variables?: Record<string, unknown> };
  if (typeof query !== 'string' || !query.includes('login')) return null;
  let logins: FieldNode[];
  try {
    logins = parse(query)
      .definitions.filter(
        (definition): definition is OperationDefinitionNode =>
          definition.kind === Kind.OPERATION_DEFINITION && definition.operation === 'mutation',
      )
      .flatMap((operation) => operation.selectionSet.selections)
      .filter(
        (selection): selection is FieldNode =>
          selection.kind === Kind.FIELD && selection.name.value === 'login',
      );
  } catch {
    // Not GraphQL: Mercurius refuses it, and it logs no one in.
    return null;
  }
  if (logins.length === 0) return null;
  return logins.map((login) => {
    const value = login.arguments?.find((argument) => argument.name.value === 'email')?.value;
    if (value?.kind === Kind.STRING) return value.value;
    const given = value?.kind === Kind.VARIABLE ? variables?.[value.name.value] : undefined;
    return typeof given === 'string' ? given : '';
  });
};

// The answer GraphQL clients expect (`errors[].extensions.code`), with the HTTP status.
const refuse = (reply: FastifyReply, status: number, code: string, extensions: Record<string, unknown>) => {
  const { message, ...rest } = extensions;
  const category = code in errorCodes ? errorCodes[code as keyof typeof errorCodes].category : 'UNAVAILABLE';
  return reply
    .code(status)
    .type('application/json; charset=utf-8')
    .send({ data: null, errors: [{ message, extensions: { code, category, ...rest } }] });
};
