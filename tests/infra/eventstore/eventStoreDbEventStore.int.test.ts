import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEventStoreDbEventStore } from '../../../src/infra/eventstore/eventStoreDbEventStore.js';
import { type EventStoreDbService, findEventStoreDb } from '../../setup/eventStoreDb.js';
import { eventStoreContract } from './eventStoreContract.js';

const start = await findEventStoreDb();
const skipReason = 'no EventStoreDB (set EVENTSTORE_URL or start Docker)';
if (!start) console.warn(`services: eventstoredb — none, its contract suite is SKIPPED: ${skipReason}`);

describe.skipIf(!start)(
  start ? 'EventStoreDB event store contract' : `EventStoreDB event store contract — skipped: ${skipReason}`,
  () => {
    let service: EventStoreDbService | undefined;
    beforeAll(async () => {
      service = await start!();
      console.log(`services: eventstoredb from ${service.source}: ${service.connectionString}`);
    });
    afterAll(async () => {
      await service?.stop?.();
    });

    // One server for the whole file: each store gets a namespace of its own, so it starts empty.
    const openStore = (namespace = `t${randomBytes(4).toString('hex')}-`) =>
      createEventStoreDbEventStore({ connectionString: service!.connectionString, namespace });

    eventStoreContract(
      'eventStoreDbEventStore',
      async () => ({ store: openStore(), cleanup: async () => {} }),
      {
        contiguousPositions: false,
      },
    );

    it('shows a store only the streams of its namespace, under their names without it', async () => {
      const mine = openStore();
      const theirs = openStore();
      try {
        const event = { id: randomUUID(), type: 'Happened', data: { n: 1 } };
        await theirs.append('s', [{ id: randomUUID(), type: 'Happened', data: { n: 0 } }]);
        const appended = await mine.append('s', [event]);

        const all = await mine.readAll();

        expect(all.map((e) => [e.streamId, e.id, e.position])).toEqual([['s', event.id, appended.position]]);
        expect(await mine.headPosition()).toBe(appended.position);
        expect((await theirs.readStream('s')).map((e) => e.data)).toEqual([{ n: 0 }]);
      } finally {
        await Promise.all([mine.close(), theirs.close()]);
      }
    });
  },
);
