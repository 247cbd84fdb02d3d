import Fastify from 'fastify';
import mercurius from 'mercurius';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { formatGraphQLErrors } from '../../src/api/formatGraphQLErrors.js';
import { addQueryCostLimit, defaultApiLimits, mercuriusLimitOptions } from '../../src/api/queryLimits.js';
import { errorCodes } from '../../src/errors.js';
import { waitFor } from '../setup/waitFor.js';

// A schema of our own, so list sizes and nesting stay fixed whatever the API's areas become.
const schema = `
  type Query { items(first: Int = 5): [Item!]! }
  type Subscription { itemAdded: Item! }
  type Item { id: ID! parts: [Part!]! }
  type Part { name: String! }
`;
const items = (count: number) =>
  Array.from({ length: count }, (_, i) => ({ id: `i-${i}`, parts: [{ name: 'p' }] }));

const tooCostly = (cost: number) => ({
  data: null,
  errors: [
    {
      message: errorCodes.QUERY_TOO_COSTLY.message,
      extensions: { code: 'QUERY_TOO_COSTLY', category: 'VALIDATION', cost, max: 100 },
    },
  ],
});

interface ProtocolMessage {
  id?: string;
  type: string;
  payload?: unknown;
}

/**
 * A graphql-transport-ws connection spoken by hand, to see the protocol's messages as they are.
 * It waits a moment after the server's ack before anything is sent: Mercurius marks the
 * connection ready only once its ack has been written, and closes one that subscribes before.
 */
const openSubscriptionSocket = async (url: string) => {
  const socket = new WebSocket(url.replace(/^http/, 'ws'), 'graphql-transport-ws');
  const received: ProtocolMessage[] = [];
  socket.on('message', (data) => received.push(JSON.parse(String(data)) as ProtocolMessage));
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  socket.send(JSON.stringify({ type: 'connection_init' }));
  const next = async (matches: (message: ProtocolMessage) => boolean) => {
    await waitFor(async () => received.some(matches), 10_000);
    return received.find(matches);
  };
  await next((message) => message.type === 'connection_ack');
  await new Promise((resolve) => setTimeout(resolve, 100));
  return {
    send: (message: ProtocolMessage) => socket.send(JSON.stringify(message)),
    next,
    close: () => socket.close(),
  };
};

// Same hooks, options and error formatter as buildApi, on a real server over HTTP and WebSocket.
describe('the cost limit over HTTP and WebSocket', () => {
  const app = Fastify();
  let url: string;

  beforeAll(async () => {
    const limits = { ...defaultApiLimits, maxCost: 100, defaultListSize: 3 };
    await app.register(mercurius, {
      schema,
      resolvers: {
        Query: { items: (_root, { first }: { first: number }) => items(first) },
        Subscription: { itemAdded: { subscribe: (_root, _args, { pubsub }) => pubsub.subscribe('ITEM') } },
      },
      subscription: true,
      jit: 1,
      errorFormatter: formatGraphQLErrors,
      ...mercuriusLimitOptions(limits),
    });
    addQueryCostLimit(app, limits);
    url = `${await app.listen({ host: '127.0.0.1', port: 0 })}/graphql`;
  });

  afterAll(() => app.close());

  const query = async (text: string, variables: Record<string, unknown>) => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: text, variables }),
    });
    return response.json();
  };

  it('prices the same query text anew for each request’s variables', async () => {
    const text = 'query Items($n: Int) { items(first: $n) { id parts { name } } }';
    // 1 + n × (id + parts × 3 names)
    const cheap = await query(text, { n: 2 });
    const dear = await query(text, { n: 20 });
    // Run often enough for Mercurius to have compiled the query with its JIT.
    for (let i = 0; i < 3; i++) await query(text, { n: 2 });
    const cheapAgain = await query(text, { n: 2 });

    const twoItems = { data: { items: items(2).map(({ id }) => ({ id, parts: [{ name: 'p' }] })) } };
    expect(cheap).toEqual(twoItems);
    expect(dear).toEqual(tooCostly(1 + 20 * 5));
    expect(cheapAgain).toEqual(twoItems);
  });

  it('refuses a subscription over the limit when it starts, and delivers one within it', async () => {
    const socket = await openSubscriptionSocket(url);
    try {
      // 1 + (id + 25 aliases × (1 + 3 names))
      const aliases = Array.from({ length: 25 }, (_, i) => `p${i}: parts { name }`).join(' ');
      socket.send({
        id: 'dear',
        type: 'subscribe',
        payload: { query: `subscription { itemAdded { id ${aliases} } }` },
      });
      socket.send({
        id: 'cheap',
        type: 'subscribe',
        payload: { query: 'subscription { itemAdded { id } }' },
      });
      const refused = await socket.next((message) => message.id === 'dear');
      // The protocol acknowledges nothing once a subscription is set up: publish until it is.
      const publishing = setInterval(() => {
        app.graphql.pubsub.publish({ topic: 'ITEM', payload: { itemAdded: items(1)[0] } });
      }, 50);
      const delivered = await socket
        .next((message) => message.id === 'cheap')
        .finally(() => clearInterval(publishing));

      expect(refused).toEqual({ id: 'dear', type: 'error', payload: tooCostly(1 + 1 + 25 * 4).errors });
      expect(delivered).toEqual({
        id: 'cheap',
        type: 'next',
        payload: { data: { itemAdded: { id: 'i-0' } } },
      });
    } finally {
      socket.close();
    }
  });
});
