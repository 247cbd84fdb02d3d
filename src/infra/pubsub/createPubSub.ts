import type { EventEmitter } from 'node:events';
import mqemitter from 'mqemitter';
import mqemitterRedis from 'mqemitter-redis';

type Emitter = mqemitter.MQEmitter;
type Message = mqemitter.Message;
type Listener = (message: Message, done: () => void) => void;

export interface PubSub {
  /** An mqemitter, as Mercurius takes for subscriptions. */
  emitter: Emitter;
  publish(topic: string, payload: unknown): void;
  close(): Promise<void>;
}

/**
 * Pub/sub for live views: through Redis when `redisUrl` is set, so every API instance sees
 * every message, in memory otherwise (one process). Redis channels are global to the server,
 * so every topic is prefixed with `namespace`: deployments (and test files) sharing one Redis
 * do not see each other's messages.
 */
export const createPubSub = (options: { redisUrl: string | null; namespace: string }): PubSub => {
  const inner: Emitter = options.redisUrl
    ? mqemitterRedis({ connectionString: options.redisUrl })
    : mqemitter();
  // mqemitter-redis re-emits its connections' errors on `state`; with no listener there, Node
  // throws them, and Redis going away for a moment would end the process. ioredis reconnects by
  // itself, and /health/ready reports Redis meanwhile.
  (inner as { state?: EventEmitter }).state?.on('error', () => undefined);
  const scoped = (topic: string) => `${options.namespace}/${topic}`;
  const emitter = {
    on: (topic: string, listener: Listener, callback?: () => void) =>
      inner.on(scoped(topic), listener, callback),
    removeListener: (topic: string, listener: Listener, callback?: () => void) =>
      inner.removeListener(scoped(topic), listener, callback),
    emit: (message: Message, callback?: (error?: Error) => void) =>
      inner.emit({ ...message, topic: scoped(message.topic) }, callback),
    close: (callback: () => void) => inner.close(callback),
  } as unknown as Emitter;
  return {
    emitter,
    publish: (topic, payload) => emitter.emit({ topic, payload }),
    close: () => new Promise<void>((resolve) => inner.close(() => resolve())),
  };
};
