/**
 * Live-view fan-out: 2,000 WebSocket subscribers split over two API instances that share one
 * Redis, timed from sending a mutation to the last subscriber's delivery. `npm run bench:fanout`
 * (BENCH_DATABASE_URL, BENCH_REDIS_URL pick the servers). Baseline, in the same run: the same
 * sockets on two bare `ws` servers that relay one Redis channel (ioredis), timed from PUBLISH.
 * Ours also carries the append, the projection and its transaction, and one GraphQL execution
 * per subscriber; the ratio shows that overhead.
 */

import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Server as HttpServer } from 'node:http';
import { Worker } from 'node:worker_threads';
import { Redis } from 'ioredis';
import { type WebSocket, WebSocketServer } from 'ws';
import { createLogger } from '../src/logger.js';
import { startPlatform } from '../src/platform.js';
import { benchLine } from './benchLine.js';
import { BENCH_REDIS_URL, benchConfig, benchToken, freshDatabase, reportLoad } from './benchServices.js';
import type { FromClients, ToClients } from './fanoutClients.js';

const SUBSCRIBERS = 2_000;
// BENCH_EVENTS shortens a smoke run; figures for the record use the default.
const EVENTS = Number(process.env.BENCH_EVENTS ?? 100);
const WARM_UP_EVENTS = 3;
const EVENT_TIMEOUT_MS = 30_000;
const PAUSE_BETWEEN_EVENTS_MS = 50;

const SUBSCRIPTION = {
  query: `subscription Changes($id: ID) {
    pipelineChanged(id: $id) { event position pipeline { id name status version updatedAt } }
  }`,
};

const now = () => performance.timeOrigin + performance.now();

/** The subscribers' worker, driven one message and answer at a time; bounded by timeouts. */
const startClients = () => {
  // tsx's hooks do not reach a worker thread: it registers them itself, then loads the clients.
  const clients = new URL('./fanoutClients.ts', import.meta.url).href;
  const boot = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(clients)}); })`;
  const worker = new Worker(boot, { eval: true });
  /** The worker's next reply of this type; listening starts at once, before any cause. */
  const reply = <Type extends FromClients['type']>(type: Type, timeoutMs: number) =>
    new Promise<Extract<FromClients, { type: Type }>>((resolve, reject) => {
      const timer = setTimeout(() => {
        worker.off('message', listen);
        reject(new Error(`no ${type} from the subscribers within ${timeoutMs} ms`));
      }, timeoutMs);
      const listen = (message: FromClients) => {
        if (message.type !== type) return;
        clearTimeout(timer);
        worker.off('message', listen);
        resolve(message as Extract<FromClients, { type: Type }>);
      };
      worker.on('message', listen);
    });
  const ask = <Type extends FromClients['type']>(message: ToClients, type: Type, timeoutMs: number) => {
    const answer = reply(type, timeoutMs);
    worker.postMessage(message);
    return answer;
  };
  return { ask, reply, stop: () => worker.terminate() };
};
type Clients = ReturnType<typeof startClients>;

/**
 * Delivers `EVENTS` events after warming up, one at a time, each once every subscriber has the
 * one before; returns each event's time from `cause` to its last delivery, in ms. The first
 * events also prove every subscription is set up (the protocol does not acknowledge them).
 */
const measure = async (clients: Clients, cause: (index: number) => Promise<unknown>) => {
  let index = 0;
  let sample = '';
  const deliver = async () => {
    await clients.ask({ type: 'expect' }, 'expecting', EVENT_TIMEOUT_MS);
    const delivered = clients.reply('delivered', EVENT_TIMEOUT_MS);
    const started = now();
    await cause(index++);
    const last = await delivered;
    sample = last.sample;
    await new Promise((resolve) => setTimeout(resolve, PAUSE_BETWEEN_EVENTS_MS));
    return last.lastAt - started;
  };
  for (let ready = false, tries = 0; !ready; tries++) {
    ready = await deliver().then(
      () => true,
      (error: unknown) => {
        if (tries >= 5) throw error;
        return false;
      },
    );
  }
  for (let i = 0; i < WARM_UP_EVENTS; i++) await deliver();
  const times: number[] = [];
  for (let i = 0; i < EVENTS; i++) times.push(await deliver());
  return { times, sample };
};

const percentile = (times: readonly number[], p: number) => {
  const sorted = [...times].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
};

// The bench admin's token: mutations carry it, subscribers send it in connection_init.
let authorization = '';

const graphql = async (url: string, query: string, variables: Record<string, unknown>) => {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: Record<string, { pipelineId: string }>; errors?: unknown };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data!;
};

/** Ours: two API instances (one also projecting), mutations sent to each in turn. */
const measureOurs = async (clients: Clients, namespace: string, databaseUrl: string) => {
  const config = benchConfig(databaseUrl, namespace);
  const logger = createLogger(config);
  const first = await startPlatform(config, logger, ['api', 'projections']);
  const second = await startPlatform(config, logger, ['api']);
  try {
    const urls = [first.graphqlUrl!, second.graphqlUrl!];
    authorization = `Bearer ${await benchToken(urls[0]!)}`;
    const { createPipeline } = await graphql(
      urls[0]!,
      'mutation C($input: CreatePipelineInput!) { createPipeline(input: $input) { pipelineId } }',
      { input: { name: 'Watched', source: { topic: 'in' }, steps: [], sink: { topic: 'out' } } },
    );
    const id = createPipeline!.pipelineId;
    await graphql(urls[0]!, 'mutation A($id: ID!) { activatePipeline(id: $id) { pipelineId } }', { id });
    const sockets = urls.map((url) => url.replace(/^http/, 'ws'));
    await clients.ask(
      {
        type: 'open',
        urls: sockets,
        count: SUBSCRIBERS,
        subscribe: { ...SUBSCRIPTION, variables: { id } },
        init: { authorization },
      },
      'opened',
      120_000,
    );
    // Pause, resume, pause...: each a PipelinePaused or PipelineResumed for every subscriber.
    const measured = await measure(clients, (index) =>
      graphql(
        urls[index % 2]!,
        index % 2 === 0
          ? 'mutation P($id: ID!) { pausePipeline(id: $id) { pipelineId } }'
          : 'mutation R($id: ID!) { resumePipeline(id: $id) { pipelineId } }',
        { id },
      ),
    );
    await clients.ask({ type: 'close' }, 'closed', 60_000);
    return measured;
  } finally {
    await second.stop();
    await first.stop();
  }
};

/** A bare graphql-transport-ws server: acks, keeps subscribed sockets, relays a Redis channel. */
const bareServer = async (channel: string) => {
  const server = createServer();
  const sockets = new BareSubscriptions(server);
  const subscriber = new Redis(BENCH_REDIS_URL);
  await subscriber.subscribe(channel);
  // One string for all: a relay has nothing to compute per subscriber.
  subscriber.on('message', (_channel, message: string) => sockets.broadcast(message));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  return {
    url: `ws://127.0.0.1:${port}/graphql`,
    close: async () => {
      subscriber.disconnect();
      sockets.close();
      server.close();
    },
  };
};

/** The sockets of one bare server that have subscribed, all sent every message. */
class BareSubscriptions {
  private readonly subscribed = new Set<WebSocket>();
  private readonly wss: WebSocketServer;
  constructor(server: HttpServer) {
    this.wss = new WebSocketServer({ server, path: '/graphql' });
    this.wss.on('connection', (socket) => {
      socket.on('message', (data) => {
        const message = JSON.parse(String(data)) as { type: string };
        if (message.type === 'connection_init') socket.send(JSON.stringify({ type: 'connection_ack' }));
        if (message.type === 'subscribe') this.subscribed.add(socket);
      });
      socket.on('close', () => this.subscribed.delete(socket));
    });
  }
  broadcast(message: string) {
    for (const socket of this.subscribed) socket.send(message);
  }
  close() {
    for (const socket of this.wss.clients) socket.terminate();
    this.wss.close();
  }
}

/** The baseline: the same sockets on two bare servers, each event the same `next` message. */
const measureBare = async (clients: Clients, namespace: string, message: string) => {
  const channel = `${namespace}/bare`;
  const servers = [await bareServer(channel), await bareServer(channel)];
  const publisher = new Redis(BENCH_REDIS_URL);
  try {
    await clients.ask(
      { type: 'open', urls: servers.map((s) => s.url), count: SUBSCRIBERS, subscribe: SUBSCRIPTION },
      'opened',
      120_000,
    );
    const { times } = await measure(clients, () => publisher.publish(channel, message));
    await clients.ask({ type: 'close' }, 'closed', 60_000);
    return times;
  } finally {
    publisher.disconnect();
    for (const server of servers) await server.close();
  }
};

const main = async () => {
  reportLoad('at start');
  const database = await freshDatabase('tributary_bench_fanout');
  const namespace = `bench_fanout_${randomBytes(4).toString('hex')}`;
  const clients = startClients();
  try {
    const { times: ours, sample } = await measureOurs(clients, namespace, database.url);
    reportLoad('after ours');
    // The message our subscribers got last, so the baseline sends the same bytes.
    const theirs = await measureBare(clients, namespace, sample);
    reportLoad('at end');
    for (const p of [50, 99]) {
      benchLine({
        name: `fanout.${SUBSCRIBERS}subscribers.2instances.p${p}`,
        value: percentile(ours, p),
        unit: 'ms',
        baseline: percentile(theirs, p),
        higherIsBetter: false,
        baselineName: `bare ws servers relaying Redis, ${EVENTS} events`,
      });
    }
  } finally {
    await clients.stop();
    await database.drop();
  }
};

await main();
