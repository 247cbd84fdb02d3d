import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type EventMetadata,
  type EventStore,
  type EventSubscription,
  type EventToAppend,
  type ExpectedRevision,
  type RecordedEvent,
  type SubscribeToAllOptions,
  WrongExpectedRevisionError,
} from '../../../src/infra/eventstore/eventStore.js';

type Revision = number | 'no_stream';

/** A fresh, empty store of its own; `cleanup` frees what the factory made (the suite closes the store). */
export type EventStoreFactory = () => Promise<{ store: EventStore; cleanup: () => Promise<void> }>;

/** What an adapter promises beyond the port's minimum, declared beside its factory. */
export interface EventStoreFeatures {
  /** Global positions are 1, 2, 3, ... in a fresh store, not only increasing (PostgreSQL). */
  contiguousPositions: boolean;
}

/**
 * The behaviour of the event store port (see `src/infra/eventstore/eventStore.ts`), run unchanged
 * against every adapter. Each test gets a fresh, empty store. Positions are asserted to increase
 * and to match what the global log holds; that they count 1, 2, 3, ... only where declared.
 */
export const eventStoreContract = (name: string, factory: EventStoreFactory, features: EventStoreFeatures) =>
  describe(`${name} (event store contract)`, () => {
    let store: EventStore;
    let cleanup: () => Promise<void>;
    const subscriptions: EventSubscription[] = [];

    beforeEach(async () => {
      ({ store, cleanup } = await factory());
    });
    afterEach(async () => {
      await Promise.all(subscriptions.splice(0).map((subscription) => subscription.stop()));
      await store.close();
      await cleanup();
    });

    /** Records every delivered batch; `overlapped` turns true if a batch arrives before the last resolved. */
    const subscribe = (options: Omit<SubscribeToAllOptions, 'onEvents' | 'onError'>) => {
      const seen = { received: [] as RecordedEvent[], errors: [] as unknown[], overlapped: false };
      let busy = false;
      const subscription = store.subscribeToAll({
        ...options,
        async onEvents(batch) {
          if (busy) seen.overlapped = true;
          busy = true;
          await sleep(1);
          seen.received.push(...batch);
          busy = false;
        },
        onError: (error) => seen.errors.push(error),
      });
      subscriptions.push(subscription);
      return { seen, subscription };
    };

    /** Appends at `expected`; the store must refuse with CONCURRENCY_CONFLICT and stay as it was. */
    const expectConflict = async (streamId: string, expected: ExpectedRevision, actual: Revision) => {
      const before = await snapshot(store);
      const error = await store.append(streamId, events(2), { expectedRevision: expected }).then(
        () => new Error('the append succeeded'),
        (reason: unknown) => reason,
      );
      expect(error).toBeInstanceOf(WrongExpectedRevisionError);
      expect(error).toMatchObject({ code: 'CONCURRENCY_CONFLICT', streamId, expected, actual });
      expect(await snapshot(store)).toEqual(before);
    };

    /** Positions increase and end at `head`; where the adapter says so, they are exactly 1..head. */
    const expectPositions = (recorded: readonly RecordedEvent[], head: number) => {
      expectIncreasing(positionsOf(recorded));
      expect(recorded.at(-1)?.position ?? 0).toBe(head);
      if (features.contiguousPositions) expect(positionsOf(recorded)).toEqual(range(1, head));
    };

    it('reads appended events back in revision order with their ids, types, data and metadata', async () => {
      const metadata: EventMetadata = { actor: 'ann', correlationId: 'c-1', schemaVersion: 2 };
      const data = { total: 12.5, lines: [{ sku: 'a', qty: 2 }], note: 'é ✓ "x"', gift: null };
      const appended = [
        event('OrderPlaced', data, metadata),
        event('OrderPaid', { amount: 12.5 }),
        event('OrderShipped', { carrier: 'post' }),
      ];
      await store.append('other-1', [event('Unrelated')]);

      const result = await store.append('order-1', appended);
      const read = await store.readStream('order-1');

      expect(read.map(withoutPlacement)).toEqual(
        appended.map((e, revision) => ({ ...e, streamId: 'order-1', revision, metadata: e.metadata ?? {} })),
      );
      expectIncreasing(positionsOf(read));
      for (const recorded of read) expect(recorded.recordedAt).toBeInstanceOf(Date);
      expect(result).toEqual({ nextExpectedRevision: 2, position: read[2]!.position });
    });

    it('continues a stream at its next revision and gives an event without an id a new UUID', async () => {
      await store.append('s-1', events(2));

      const result = await store.append('s-1', [{ type: 'Anonymous', data: { n: 2 } }]);

      const read = await store.readStream('s-1');
      expect(revisionsOf(read)).toEqual([0, 1, 2]);
      expect(read[2]!.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i);
      expect(result).toEqual({ nextExpectedRevision: 2, position: read[2]!.position });
    });

    it('reads a stream backwards, from a revision and at most maxCount events; an unknown stream is empty', async () => {
      for (let i = 0; i < 5; i++) {
        await store.append('s', events(1));
        await store.append('s-longer', events(1));
      }

      const revisions = async (options: Parameters<EventStore['readStream']>[1]) =>
        revisionsOf(await store.readStream('s', options));
      expect(await revisions({ direction: 'backwards' })).toEqual([4, 3, 2, 1, 0]);
      expect(await revisions({ fromRevision: 2 })).toEqual([2, 3, 4]);
      expect(await revisions({ fromRevision: 1, maxCount: 2 })).toEqual([1, 2]);
      expect(await revisions({ fromRevision: 3, maxCount: 2, direction: 'backwards' })).toEqual([3, 2]);
      expect(await revisions({ maxCount: 1, direction: 'backwards' })).toEqual([4]);
      expect(await revisions({ fromRevision: 5 })).toEqual([]);
      expect(await store.readStream('missing')).toEqual([]);
    });

    it('reads a stream as it was at a point in time: only events recorded at or before it, either way', async () => {
      await store.append('s', events(2));
      await store.append('other', events(1));
      const [first, second] = await store.readStream('s');
      // The cut is taken from the store's own clock, which may differ from this machine's.
      const cut = new Date(second!.recordedAt.getTime() + 10);
      await sleep(50);
      await store.append('s', events(2));
      await store.append('other', events(1));

      const revisions = async (options: Parameters<EventStore['readStream']>[1]) =>
        revisionsOf(await store.readStream('s', options));
      expect(await revisions({ until: cut })).toEqual([0, 1]);
      expect(await revisions({ until: cut, direction: 'backwards' })).toEqual([1, 0]);
      expect(await revisions({ until: cut, direction: 'backwards', maxCount: 1 })).toEqual([1]);
      expect(await revisions({ until: cut, fromRevision: 1 })).toEqual([1]);
      expect(await revisions({ until: cut, maxCount: 1 })).toEqual([0]);
      expect(await revisions({ until: second!.recordedAt })).toEqual([0, 1]);
      expect(await revisions({ until: new Date(first!.recordedAt.getTime() - 1) })).toEqual([]);
      expect(await revisions({ until: new Date(cut.getTime() + 60_000) })).toEqual([0, 1, 2, 3]);
      expect(await store.readStream('missing', { until: cut })).toEqual([]);
    });

    it('appends with no_stream to a new stream, and refuses no_stream on an existing one', async () => {
      const created = await store.append('s', events(1), { expectedRevision: 'no_stream' });
      expect(created.nextExpectedRevision).toBe(0);

      await expectConflict('s', 'no_stream', 0);
    });

    it('appends at an exact expected revision, and refuses a stale, future or missing one', async () => {
      const first = await store.append('s', events(2));

      const second = await store.append('s', events(1), { expectedRevision: first.nextExpectedRevision });

      expect(second.nextExpectedRevision).toBe(2);
      await expectConflict('s', 1, 2);
      await expectConflict('s', 3, 2);
      await expectConflict('nope', 0, 'no_stream');
    });

    it('appends with stream_exists to an existing stream, and refuses it on a missing one', async () => {
      await expectConflict('s', 'stream_exists', 'no_stream');
      await store.append('s', events(1));

      const result = await store.append('s', events(2), { expectedRevision: 'stream_exists' });

      expect(result.nextExpectedRevision).toBe(2);
    });

    it('appends with any whether or not the stream exists', async () => {
      expect((await store.append('s', events(2), { expectedRevision: 'any' })).nextExpectedRevision).toBe(1);
      expect((await store.append('s', events(1), { expectedRevision: 'any' })).nextExpectedRevision).toBe(2);
      expect((await store.append('t', events(1))).nextExpectedRevision).toBe(0);
    });

    it('lets exactly one of several concurrent appends at one expected revision win, leaving no gap', async () => {
      for (let round = 0; round < 10; round++) {
        const streamId = `race-${round}`;
        const expected: ExpectedRevision = round % 2 === 0 ? 'no_stream' : 0;
        if (expected === 0) await store.append(streamId, events(1));
        const contenders = Array.from({ length: 4 }, () => events(2, 'Contended'));

        const results = await Promise.allSettled(
          contenders.map((batch) => store.append(streamId, batch, { expectedRevision: expected })),
        );

        const winners = contenders.filter((_, i) => results[i]!.status === 'fulfilled');
        expect(winners).toHaveLength(1);
        for (const result of results) {
          if (result.status === 'rejected') expect(result.reason).toBeInstanceOf(WrongExpectedRevisionError);
        }
        const contended = (await store.readStream(streamId)).filter((e) => e.type === 'Contended');
        expect(contended.map((e) => e.id)).toEqual(winners[0]!.map((e) => e.id));
      }
      const all = await readEverything(store);
      expect(all).toHaveLength(10 * 2 + 5);
      expectPositions(all, await store.headPosition());
    });

    it('refuses an append of no events and writes nothing', async () => {
      await store.append('s', events(1));
      const before = await snapshot(store);

      await expect(store.append('s', [])).rejects.toThrow();
      await expect(store.append('new', [], { expectedRevision: 'no_stream' })).rejects.toThrow();

      expect(await snapshot(store)).toEqual(before);
      await store.append('new', events(1), { expectedRevision: 'no_stream' });
    });

    it('reads every stream in global position order, and headPosition is the last position', async () => {
      expect(await store.headPosition()).toBe(0);
      expect(await store.readAll()).toEqual([]);
      const appends: Array<[string, EventToAppend[]]> = [
        ['a', events(2)],
        ['b', events(1)],
        ['a', events(1)],
        ['c', events(3)],
        ['b', events(2)],
      ];
      for (const [streamId, batch] of appends) await store.append(streamId, batch);

      const all = await store.readAll();

      expect(all.map((e) => `${e.streamId}:${e.id}`)).toEqual(
        appends.flatMap(([streamId, batch]) => batch.map((e) => `${streamId}:${e.id}`)),
      );
      expectPositions(all, await store.headPosition());
      expect(all.filter((e) => e.streamId === 'a')).toEqual(await store.readStream('a'));
    });

    it('pages through the global log with after and maxCount', async () => {
      for (let i = 0; i < 5; i++) await store.append(`s-${i % 3}`, events(2));
      const all = positionsOf(await store.readAll());
      expect(all).toHaveLength(10);

      const pages: number[][] = [];
      for (let after = 0; ; ) {
        const page = await store.readAll({ after, maxCount: 3 });
        if (page.length === 0) break;
        pages.push(positionsOf(page));
        after = page.at(-1)!.position;
      }

      expect(pages).toEqual([all.slice(0, 3), all.slice(3, 6), all.slice(6, 9), all.slice(9)]);
      expect(positionsOf(await store.readAll({ after: all[3]!, maxCount: 2 }))).toEqual(all.slice(4, 6));
      if (features.contiguousPositions) expect(all).toEqual(range(1, 10));
    });

    it('filters the global log by stream prefix and by event type', async () => {
      await store.append('order_1', [event('OrderPlaced'), event('OrderPaid')]);
      await store.append('orderX1', [event('OrderPlaced')]);
      await store.append('user-1', [event('UserJoined')]);
      await store.append('order_2', [event('OrderPlaced')]);
      await store.append('invoice-1', [event('OrderPaid')]);

      const read = async (options: Parameters<EventStore['readAll']>[0]) =>
        placesOf(await store.readAll(options));

      // `_` is a plain character in a prefix, not a wildcard.
      expect(await read({ filter: { streamPrefixes: ['order_'] } })).toBe(
        'order_1:OrderPlaced order_1:OrderPaid order_2:OrderPlaced',
      );
      expect(await read({ filter: { streamPrefixes: ['user-', 'invoice-'] } })).toBe(
        'user-1:UserJoined invoice-1:OrderPaid',
      );
      expect(await read({ filter: { eventTypes: ['OrderPaid', 'UserJoined'] } })).toBe(
        'order_1:OrderPaid user-1:UserJoined invoice-1:OrderPaid',
      );
      expect(await read({ filter: { streamPrefixes: ['order'], eventTypes: ['OrderPlaced'] } })).toBe(
        'order_1:OrderPlaced orderX1:OrderPlaced order_2:OrderPlaced',
      );
      const [first] = await store.readAll({ maxCount: 1 });
      expect(
        await read({ after: first!.position, maxCount: 1, filter: { eventTypes: ['OrderPlaced'] } }),
      ).toBe('orderX1:OrderPlaced');
    });

    it('catches a subscription up from a position, then delivers later appends live, in order, each once', async () => {
      await store.append('a', events(3));
      await store.append('b', events(2));
      const after = (await store.readAll({ maxCount: 2 }))[1]!.position;
      const { seen } = subscribe({ after });
      await until(() => seen.received.length >= 3);

      await store.append('c', events(2));
      await store.append('a', events(1));
      const sentinel = await store.append('z', [event('Sentinel')]);
      await until(() => seen.received.at(-1)?.position === sentinel.position);

      expect(seen.received).toHaveLength(7);
      expect(seen.received).toEqual(await store.readAll({ after }));
      if (features.contiguousPositions) expect(positionsOf(seen.received)).toEqual(range(3, 9));
      expect(seen.errors).toEqual([]);
    });

    it('delivers to a filtered subscription only the matching events', async () => {
      await store.append('order-1', [event('OrderPlaced'), event('OrderPaid')]);
      const filter = { streamPrefixes: ['order-'], eventTypes: ['OrderPaid'] };
      const { seen } = subscribe({ after: 0, filter });

      await store.append('user-1', [event('OrderPaid')]);
      await store.append('order-2', [event('OrderPlaced'), event('OrderPaid')]);
      await until(() => seen.received.length >= 2);

      expect(placesOf(seen.received)).toBe('order-1:OrderPaid order-2:OrderPaid');
    });

    it('stops a subscription whose onEvents throws and reports the error once', async () => {
      const failure = new Error('projection broke');
      const errors: unknown[] = [];
      let calls = 0;
      subscriptions.push(
        store.subscribeToAll({
          after: 0,
          onEvents: async () => {
            calls++;
            throw failure;
          },
          onError: (error) => errors.push(error),
        }),
      );
      await store.append('a', events(1));
      await until(() => errors.length > 0);

      await store.append('a', events(1));
      await sleep(300);

      expect(errors).toEqual([failure]);
      expect(calls).toBe(1);
    });

    it('delivers every event of many concurrent writers to live subscribers once each, in order, with no gap', async () => {
      const writers = 8;
      const appendsPerWriter = 40;
      const early = subscribe({ after: 0, batchSize: 7 }).seen;
      let late: typeof early | undefined;
      let written = 0;

      const writtenIds = await Promise.all(
        Array.from({ length: writers }, async (_, w) => {
          const ids: string[] = [];
          for (let i = 0; i < appendsPerWriter; i++) {
            await sleep(Math.random() * 3);
            const batch = Array.from({ length: 1 + Math.floor(Math.random() * 3) }, () =>
              event('Wrote', { w, i }),
            );
            await store.append(`gap-${Math.floor(Math.random() * 16)}`, batch, { expectedRevision: 'any' });
            ids.push(...batch.map((e) => e.id!));
            written += batch.length;
            // A second subscriber that catches up from 0 while writers are still running.
            if (!late && written >= 200) late = subscribe({ after: 0, batchSize: 50 }).seen;
          }
          return ids;
        }),
      );
      const total = writtenIds.flat().length;
      const sentinel = await store.append('z', [event('Sentinel')]);
      const everything = await readEverything(store);
      expect(everything).toHaveLength(total + 1);
      expectPositions(everything, sentinel.position);

      for (const seen of [early, late!]) {
        await until(() => seen.received.at(-1)?.position === sentinel.position);
        expect(positionsOf(seen.received)).toEqual(positionsOf(everything));
        expect(new Set(seen.received.map((e) => e.id)).size).toBe(total + 1);
        for (const ids of writtenIds) {
          const own = new Set(ids);
          expect(seen.received.filter((e) => own.has(e.id)).map((e) => e.id)).toEqual(ids);
        }
        expect(seen.overlapped).toBe(false);
        expect(seen.errors).toEqual([]);
      }
      expect(early.received).toEqual(everything);
    }, 20_000);
  });

const event = (type: string, data: unknown = {}, metadata?: EventMetadata): EventToAppend =>
  metadata ? { id: randomUUID(), type, data, metadata } : { id: randomUUID(), type, data };

const events = (count: number, type = 'Happened') =>
  Array.from({ length: count }, (_, n) => event(type, { n }));

const positionsOf = (recorded: readonly RecordedEvent[]) => recorded.map((e) => e.position);
const revisionsOf = (recorded: readonly RecordedEvent[]) => recorded.map((e) => e.revision);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

const placesOf = (recorded: readonly RecordedEvent[]) =>
  recorded.map((e) => `${e.streamId}:${e.type}`).join(' ');
const withoutPlacement = ({ position, recordedAt, ...rest }: RecordedEvent) => rest;

/** The whole global log, page by page (an adapter may cap one read). */
const readEverything = async (store: EventStore) => {
  const all: RecordedEvent[] = [];
  let page = await store.readAll();
  while (page.length > 0) {
    all.push(...page);
    page = await store.readAll({ after: page.at(-1)!.position });
  }
  return all;
};

const snapshot = async (store: EventStore) => ({
  head: await store.headPosition(),
  all: await readEverything(store),
});

const expectIncreasing = (numbers: readonly number[]) => {
  numbers.slice(1).forEach((n, i) => {
    expect(n).toBeGreaterThan(numbers[i]!);
  });
};

const until = async (condition: () => boolean, timeoutMs = 10_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Condition not met within ${timeoutMs} ms`);
    await sleep(10);
  }
};
