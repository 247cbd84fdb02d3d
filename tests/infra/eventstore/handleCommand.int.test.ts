import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type PipelineCommand,
  pipelineDecider,
  pipelineStreamId,
} from '../../../src/domain/pipelines/pipeline.js';
import type { PipelineDefinition } from '../../../src/domain/pipelines/pipelineDefinition.js';
import { deterministicId } from '../../../src/infra/eventstore/deterministicId.js';
import type { EventStore } from '../../../src/infra/eventstore/eventStore.js';
import { handleCommand } from '../../../src/infra/eventstore/handleCommand.js';
import { createPostgresEventStore } from '../../../src/infra/eventstore/postgresEventStore.js';
import { postgresEventStoreMigrations } from '../../../src/infra/eventstore/postgresEventStoreMigrations.js';
import { migrate } from '../../../src/infra/postgres/migrate.js';
import { createPostgresPool } from '../../../src/infra/postgres/postgresPool.js';
import { createTestSchema, dropTestSchema, testServices } from '../../setup/testServices.js';

const { databaseUrl } = testServices();
const schema = createTestSchema('handle_command');
const pool = createPostgresPool({ connectionString: databaseUrl, schema });
const store = createPostgresEventStore({ pool, schema });

beforeAll(async () => {
  await migrate(pool, schema, postgresEventStoreMigrations);
});
afterAll(async () => {
  await store.close();
  await pool.end();
  await dropTestSchema(databaseUrl, schema);
});

const definition: PipelineDefinition = {
  source: { topic: 'orders.raw', format: 'json' },
  steps: [{ kind: 'map', rename: { cust: 'customerId' }, drop: [] }],
  sink: { topic: 'orders.clean' },
};
let pipelines = 0;
/** A pipeline id no other test uses, so tests share the store but never a stream. */
const newPipeline = () => {
  const pipelineId = `p-${++pipelines}`;
  return { pipelineId, streamId: pipelineStreamId(pipelineId) };
};
const create = (pipelineId: string, name = 'Orders'): PipelineCommand => ({
  type: 'CreatePipeline',
  data: { pipelineId, name, definition, createdAt: '2026-01-01T00:00:00.000Z' },
});
const activate = (pipelineId: string): PipelineCommand => ({
  type: 'ActivatePipeline',
  data: { pipelineId, activatedAt: '2026-01-02T00:00:00.000Z' },
});
const pause = (pipelineId: string): PipelineCommand => ({
  type: 'PausePipeline',
  data: { pipelineId, pausedAt: '2026-01-03T00:00:00.000Z' },
});

const context = { actor: 'test', occurredAt: '2026-01-01T00:00:00.000Z' };
const handle = (streamId: string, command: PipelineCommand, eventStore: EventStore = store) =>
  handleCommand(eventStore, pipelineDecider, streamId, command, context);
const typesIn = async (streamId: string) => (await store.readStream(streamId)).map((e) => e.type);

/**
 * The store with its first `appends` appends held until all of them have been called: every
 * command in the race has then read the stream before any of them writes.
 */
const racingStore = (appends: number) => {
  const calls = { readStream: 0, append: 0 };
  let arrived = 0;
  let releaseAll: () => void = () => {};
  const allArrived = new Promise<void>((resolve) => {
    releaseAll = resolve;
  });
  const racing: EventStore = {
    ...store,
    readStream: (...args) => {
      calls.readStream++;
      return store.readStream(...args);
    },
    append: async (...args) => {
      calls.append++;
      if (++arrived <= appends) {
        if (arrived === appends) releaseAll();
        await allArrived;
      }
      return store.append(...args);
    },
  };
  return { racing, calls };
};

describe('handleCommand on the PostgreSQL event store', () => {
  it('appends the decided events with the metadata of the command, and returns them with their position', async () => {
    const { pipelineId, streamId } = newPipeline();
    const commandId = `cmd-${pipelineId}`;
    const sent = {
      actor: 'ann',
      correlationId: 'corr-1',
      causationId: 'cause-1',
      commandId,
      occurredAt: '2026-01-01T00:00:00Z',
    };

    const result = await handleCommand(store, pipelineDecider, streamId, create(pipelineId), sent);
    const metadata = { ...sent, schemaVersion: 1 };

    const [recorded] = await store.readStream(streamId);
    expect(result.events).toEqual([expect.objectContaining({ type: 'PipelineCreated' })]);
    expect(recorded).toMatchObject({ type: 'PipelineCreated', data: result.events[0]!.data, metadata });
    expect(result.position).toBe(recorded!.position);
  });

  it('writes no event for a rejected command', async () => {
    const { pipelineId, streamId } = newPipeline();
    const head = await store.headPosition();

    await expect(handle(streamId, activate(pipelineId))).rejects.toMatchObject({
      code: 'PIPELINE_NOT_FOUND',
    });
    await expect(handle(streamId, create(pipelineId, ' '))).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });

    expect(await store.readStream(streamId)).toEqual([]);
    expect(await store.headPosition()).toBe(head);
  });

  it('writes nothing and returns no position for a command that changes nothing', async () => {
    const { pipelineId, streamId } = newPipeline();
    await handle(streamId, create(pipelineId));

    const result = await handle(streamId, pause(pipelineId));

    expect(result).toEqual({ events: [], position: null, duplicate: false });
    expect(await typesIn(streamId)).toEqual(['PipelineCreated']);
  });

  it('decides on everything the stream holds', async () => {
    const { pipelineId, streamId } = newPipeline();
    await handle(streamId, create(pipelineId));
    await handle(streamId, activate(pipelineId));
    await handle(streamId, pause(pipelineId));

    await handle(streamId, activate(pipelineId));

    await expect(handle(streamId, activate(pipelineId))).rejects.toMatchObject({
      code: 'PIPELINE_ALREADY_ACTIVE',
    });
    expect(await typesIn(streamId)).toEqual([
      'PipelineCreated',
      'PipelineActivated',
      'PipelinePaused',
      'PipelineActivated',
    ]);
  });

  it('with a snapshot, reads only the events after it, and still sees what another writer added', async () => {
    const { pipelineId, streamId } = newPipeline();
    const reads: (number | undefined)[] = [];
    const counting: EventStore = {
      ...store,
      readStream: (id, options) => {
        reads.push(options?.fromRevision);
        return store.readStream(id, options);
      },
    };
    const snapshot = { state: pipelineDecider.initialState, revision: null as number | null };
    const withSnapshot = (command: PipelineCommand) =>
      handleCommand(counting, pipelineDecider, streamId, command, context, { snapshot });

    // Given a writer that keeps a snapshot of the stream
    await withSnapshot(create(pipelineId));
    await withSnapshot(activate(pipelineId));
    // When another writer pauses the pipeline meanwhile
    await handle(streamId, pause(pipelineId));
    // Then the next command decides on the paused pipeline, having read from where it left off
    await withSnapshot(activate(pipelineId));
    await expect(withSnapshot(activate(pipelineId))).rejects.toMatchObject({
      code: 'PIPELINE_ALREADY_ACTIVE',
    });
    expect(reads).toEqual([undefined, 1, 2, 4]);
    expect(snapshot.revision).toBe(3);
    expect(await typesIn(streamId)).toEqual([
      'PipelineCreated',
      'PipelineActivated',
      'PipelinePaused',
      'PipelineActivated',
    ]);
  });

  it('re-reads and re-decides the loser of two concurrent activations, which is then already active', async () => {
    const { pipelineId, streamId } = newPipeline();
    await handle(streamId, create(pipelineId));
    const { racing, calls } = racingStore(2);

    const results = await Promise.allSettled([
      handle(streamId, activate(pipelineId), racing),
      handle(streamId, activate(pipelineId), racing),
    ]);

    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    const rejected = results.find((r) => r.status === 'rejected');
    expect(rejected?.reason).toMatchObject({ code: 'PIPELINE_ALREADY_ACTIVE' });
    expect(calls).toEqual({ readStream: 3, append: 2 });
    expect(await typesIn(streamId)).toEqual(['PipelineCreated', 'PipelineActivated']);
  });

  it('re-decides the loser of two concurrent creations on a new stream, which then already exists', async () => {
    const { pipelineId, streamId } = newPipeline();
    const { racing, calls } = racingStore(2);

    const results = await Promise.allSettled([
      handle(streamId, create(pipelineId, 'First'), racing),
      handle(streamId, create(pipelineId, 'Second'), racing),
    ]);

    const rejected = results.find((r) => r.status === 'rejected');
    expect(rejected?.reason).toMatchObject({ code: 'PIPELINE_ALREADY_EXISTS' });
    expect(calls).toEqual({ readStream: 3, append: 2 });
    expect(await typesIn(streamId)).toEqual(['PipelineCreated']);
  });

  it('gives up with CONCURRENCY_CONFLICT when every attempt loses its race', async () => {
    const { pipelineId, streamId } = newPipeline();
    await handle(streamId, create(pipelineId));
    let appends = 0;
    // A rival event lands just before each of the command's appends, so every attempt is stale.
    const contested: EventStore = {
      ...store,
      append: async (...args) => {
        appends++;
        await store.append(streamId, [{ type: 'PipelinePaused', data: { pipelineId, pausedAt: 'rival' } }]);
        return store.append(...args);
      },
    };

    await expect(handle(streamId, activate(pipelineId), contested)).rejects.toMatchObject({
      code: 'CONCURRENCY_CONFLICT',
    });

    expect(appends).toBe(3);
    expect(await typesIn(streamId)).toEqual(['PipelineCreated', ...Array(3).fill('PipelinePaused')]);
  });

  describe('with a command id', () => {
    const withId = (commandId: string) => ({ ...context, commandId });

    it('takes effect once when sent twice, and returns the first result to the second', async () => {
      const { pipelineId, streamId } = newPipeline();
      await handle(streamId, create(pipelineId));

      const first = await handleCommand(
        store,
        pipelineDecider,
        streamId,
        activate(pipelineId),
        withId(`a-${pipelineId}`),
      );
      const again = await handleCommand(
        store,
        pipelineDecider,
        streamId,
        activate(pipelineId),
        withId(`a-${pipelineId}`),
      );

      expect(first.duplicate).toBe(false);
      expect(again).toEqual({
        ...first,
        duplicate: true,
        events: [expect.objectContaining(first.events[0])],
      });
      expect(await typesIn(streamId)).toEqual(['PipelineCreated', 'PipelineActivated']);
    });

    it('still decides a different command id on its own, which may then be rejected', async () => {
      const { pipelineId, streamId } = newPipeline();
      await handle(streamId, create(pipelineId));
      await handleCommand(store, pipelineDecider, streamId, activate(pipelineId), withId(`a1-${pipelineId}`));

      await expect(
        handleCommand(store, pipelineDecider, streamId, activate(pipelineId), withId(`a2-${pipelineId}`)),
      ).rejects.toMatchObject({ code: 'PIPELINE_ALREADY_ACTIVE' });
    });

    it('writes once when two copies race, and gives both the same position', async () => {
      const { pipelineId, streamId } = newPipeline();
      await handle(streamId, create(pipelineId));
      const { racing } = racingStore(2);
      const commandId = `race-${pipelineId}`;

      const [one, two] = await Promise.all([
        handleCommand(racing, pipelineDecider, streamId, activate(pipelineId), withId(commandId)),
        handleCommand(racing, pipelineDecider, streamId, activate(pipelineId), withId(commandId)),
      ]);

      expect(one.position).toBe(two.position);
      expect([one.duplicate, two.duplicate].sort()).toEqual([false, true]);
      expect(await typesIn(streamId)).toEqual(['PipelineCreated', 'PipelineActivated']);
    });

    it('gives the events ids derived from the command id, the same on every attempt', async () => {
      const { pipelineId, streamId } = newPipeline();
      await handleCommand(store, pipelineDecider, streamId, create(pipelineId), withId(`c-${pipelineId}`));
      const [event] = await store.readStream(streamId);
      expect(event?.id).toBe(deterministicId(`event:c-${pipelineId}:0`));
    });
  });
});
