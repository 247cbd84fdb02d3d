import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

export interface GraphQLResponse<Data = Record<string, unknown>> {
  data?: Data | null;
  errors?: { message: string; path?: string[]; extensions?: Record<string, unknown> }[];
}

/** POSTs one operation to the running API, as any HTTP client would. */
export const graphql = async <Data = Record<string, unknown>>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<GraphQLResponse<Data>> => {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as GraphQLResponse<Data>;
};

/**
 * Subscribes over a real WebSocket with the graphql-ws protocol and collects what arrives.
 * `ready` resolves once the server acknowledged the connection and the subscription is set up.
 */
export const subscribe = (
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  options: { connectionParams?: Record<string, unknown> } = {},
) => {
  const received: GraphQLResponse[] = [];
  const waiters: (() => void)[] = [];
  let acknowledged!: () => void;
  const ready = new Promise<void>((resolve) => {
    acknowledged = resolve;
  });
  const client = createClient({
    url: url.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    ...(options.connectionParams && { connectionParams: options.connectionParams }),
    on: { connected: () => acknowledged() },
  });
  const unsubscribe = client.subscribe(
    { query, variables },
    {
      next: (message) => {
        received.push(message as GraphQLResponse);
        for (const wake of waiters.splice(0)) wake();
      },
      // The server's GraphQL errors arrive as a list; a broken socket as anything else.
      error: (error) =>
        received.push({
          errors: Array.isArray(error) ? (error as GraphQLResponse['errors']) : [{ message: String(error) }],
        }),
      complete: () => undefined,
    },
  );
  return {
    received,
    // The protocol acknowledges the connection, not the subscription: Mercurius sets it up just
    // after. Until subscriptions can resume from a position (issue 5), a settle time covers that.
    ready: ready.then(() => new Promise((resolve) => setTimeout(resolve, 500))),
    /** Resolves with the first message that matches, waiting up to `timeoutMs`. */
    async next(matches: (message: GraphQLResponse) => boolean, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = received.find(matches);
        if (found) return found;
        if (Date.now() > deadline)
          throw new Error(`no matching message; received ${JSON.stringify(received)}`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 200);
        });
      }
    },
    async close() {
      unsubscribe();
      await client.dispose();
    },
  };
};
