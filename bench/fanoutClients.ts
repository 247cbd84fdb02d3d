/**
 * The subscribers of bench:fanout, in a worker thread of their own so that receiving does not
 * queue behind the servers on one event loop. Every socket speaks graphql-transport-ws by hand,
 * the same way against Mercurius and against the bare baseline server: init, ack, subscribe,
 * then one JSON `next` message per event.
 */
import { parentPort } from 'node:worker_threads';
import WebSocket from 'ws';

export type ToClients =
  | { type: 'open'; urls: string[]; count: number; subscribe: unknown; init?: Record<string, string> }
  | { type: 'expect' }
  | { type: 'close' };

export type FromClients =
  | { type: 'opened' }
  | { type: 'expecting' }
  | { type: 'delivered'; lastAt: number; sample: string }
  | { type: 'closed' };

const OPENING_AT_ONCE = 50;
// Mercurius marks a connection ready only once its ack is written; a subscribe sent before
// that closes the connection. The ack reaches us first, so wait a little after it.
const AFTER_ACK_MS = 50;

const port = parentPort!;
const send = (message: FromClients) => port.postMessage(message);
const now = () => performance.timeOrigin + performance.now();

let sockets: WebSocket[] = [];
let seen: boolean[] = [];
let seenCount = 0;
let lastAt = 0;
let sample = '';

const open = (url: string, index: number, subscribe: unknown, init?: Record<string, string>) =>
  new Promise<WebSocket>((resolve, reject) => {
    const socket = new WebSocket(url, 'graphql-transport-ws');
    socket.once('error', reject);
    socket.once('open', () =>
      socket.send(JSON.stringify({ type: 'connection_init', ...(init && { payload: init }) })),
    );
    socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as { type: string };
      if (message.type === 'connection_ack') {
        setTimeout(() => {
          socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: subscribe }));
          resolve(socket);
        }, AFTER_ACK_MS);
      } else if (message.type === 'next' && !seen[index]) {
        seen[index] = true;
        seenCount++;
        lastAt = now();
        if (seenCount === sockets.length) {
          sample = String(data);
          send({ type: 'delivered', lastAt, sample });
        }
      }
    });
  });

port.on('message', async (message: ToClients) => {
  switch (message.type) {
    case 'open': {
      const opened: WebSocket[] = [];
      seen = new Array(message.count).fill(true);
      for (let start = 0; start < message.count; start += OPENING_AT_ONCE) {
        const batch = Array.from({ length: Math.min(OPENING_AT_ONCE, message.count - start) }, (_, i) => {
          const index = start + i;
          return open(message.urls[index % message.urls.length]!, index, message.subscribe, message.init);
        });
        opened.push(...(await Promise.all(batch)));
      }
      sockets = opened;
      send({ type: 'opened' });
      break;
    }
    case 'expect':
      seen = new Array(sockets.length).fill(false);
      seenCount = 0;
      send({ type: 'expecting' });
      break;
    case 'close':
      await Promise.all(
        sockets.map(
          (socket) =>
            new Promise<void>((resolve) => {
              socket.once('close', () => resolve());
              socket.close();
            }),
        ),
      );
      sockets = [];
      send({ type: 'closed' });
      break;
  }
});
