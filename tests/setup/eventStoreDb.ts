import { setTimeout as sleep } from 'node:timers/promises';
import { EventStoreDBClient } from '@eventstore/db-client';

export interface EventStoreDbService {
  connectionString: string;
  source: 'env' | 'testcontainers';
  stop?: () => Promise<void>;
}

/**
 * How this run can reach an EventStoreDB, decided without starting anything, so a test file
 * can skip at collection: EVENTSTORE_URL (or TEST_EVENTSTORE_URL), else a container when a
 * Docker engine answers, else null. Only the file that needs it pays for it, unlike the
 * services of `globalSetup.ts`.
 */
export async function findEventStoreDb(): Promise<(() => Promise<EventStoreDbService>) | null> {
  const fromEnv = process.env.TEST_EVENTSTORE_URL ?? process.env.EVENTSTORE_URL;
  if (fromEnv) return async () => ({ connectionString: fromEnv, source: 'env' });
  if (await isDockerRunning()) return eventStoreDbContainer;
  return null;
}

async function isDockerRunning(): Promise<boolean> {
  return import('testcontainers')
    .then(({ getContainerRuntimeClient }) => getContainerRuntimeClient())
    .then(
      () => true,
      () => false,
    );
}

async function eventStoreDbContainer(): Promise<EventStoreDbService> {
  const { GenericContainer, Wait } = await import('testcontainers');
  const container = await new GenericContainer('eventstore/eventstore:24.10')
    .withEnvironment({
      EVENTSTORE_INSECURE: 'true',
      EVENTSTORE_MEM_DB: 'true',
      EVENTSTORE_CLUSTER_SIZE: '1',
      EVENTSTORE_RUN_PROJECTIONS: 'None',
    })
    .withExposedPorts(2113)
    .withWaitStrategy(Wait.forHttp('/health/live', 2113).forStatusCode(204))
    .withStartupTimeout(120_000)
    .start();
  const connectionString = `esdb://${container.getHost()}:${container.getMappedPort(2113)}?tls=false`;
  await untilLeader(connectionString);
  return { connectionString, source: 'testcontainers', stop: async () => void (await container.stop()) };
}

/** Live is not ready: appends need the node to have become leader, which comes a little later. */
async function untilLeader(connectionString: string, timeoutMs = 60_000): Promise<void> {
  const client = EventStoreDBClient.connectionString(connectionString);
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      try {
        for await (const _ of client.readAll({ maxCount: 1, requiresLeader: true })) break;
        return;
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await sleep(500);
      }
    }
  } finally {
    await client.dispose();
  }
}
