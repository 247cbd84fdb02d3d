import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PipelineEvent } from '../../../src/domain/pipelines/pipeline.js';
import type { PipelineDefinition } from '../../../src/domain/pipelines/pipelineDefinition.js';
import type { RecordedEvent } from '../../../src/infra/eventstore/eventStore.js';
import { migrate } from '../../../src/infra/postgres/migrate.js';
import { createPostgresPool } from '../../../src/infra/postgres/postgresPool.js';
import { pipelineMigrations } from '../../../src/projections/pipelines/pipelineMigrations.js';
import {
  PIPELINE_COLUMNS,
  PIPELINE_VERSION_COLUMNS,
} from '../../../src/projections/pipelines/pipelineRow.js';
import { pipelinesProjection } from '../../../src/projections/pipelines/pipelinesProjection.js';
import { createTestSchema, dropTestSchema, testServices } from '../../setup/testServices.js';
import { projectionTestBed } from '../projectionTestBed.js';

const bed = projectionTestBed(pipelinesProjection);
beforeAll(bed.setUp);
afterAll(bed.tearDown);

const T = (minute: number) => new Date(Date.UTC(2026, 0, 1, 0, minute)).toISOString();
const at = (minute: number) => new Date(T(minute));

const v1: PipelineDefinition = {
  source: { topic: 'orders', format: 'json' },
  steps: [{ kind: 'map', rename: { amt: 'amount' }, drop: [] }],
  sink: { topic: 'orders-clean' },
};
const v2: PipelineDefinition = { ...v1, steps: [...v1.steps, { kind: 'filter', expr: 'amount > 10' }] };
const v3: PipelineDefinition = { ...v2, sink: { connectorId: 'warehouse' } };

const history = (pipelineId: string, events: PipelineEvent[]) => bed.record(`pipeline-${pipelineId}`, events);
const created = (pipelineId: string, minute = 0): PipelineEvent => ({
  type: 'PipelineCreated',
  data: { pipelineId, name: 'Orders', version: 1, definition: v1, createdAt: T(minute) },
});
const pipelineRow = async (id: string) =>
  (await bed.pool.query(`SELECT ${PIPELINE_COLUMNS} FROM pipelines WHERE id = $1`, [id])).rows[0];
const versionRows = async (id: string) =>
  (
    await bed.pool.query(
      `SELECT ${PIPELINE_VERSION_COLUMNS} FROM pipeline_versions WHERE pipeline_id = $1 ORDER BY version`,
      [id],
    )
  ).rows;

/** Applies the events as the runner does and returns the live updates the projection publishes. */
const apply = async (events: readonly RecordedEvent[]) => {
  const client = await bed.pool.connect();
  try {
    return await pipelinesProjection.apply(client, events);
  } finally {
    client.release();
  }
};

const origin = { archived_at: null, cloned_from_id: null, cloned_from_version: null, template_id: null };

describe('pipelines read model', () => {
  it('records a new pipeline and its first version, published, the same when delivered twice', async () => {
    const events = history('p-1', [created('p-1')]);
    await bed.deliverTwice(events);
    expect(await pipelineRow('p-1')).toEqual({
      ...origin,
      id: 'p-1',
      name: 'Orders',
      status: 'draft',
      version: 1,
      latest_version: 1,
      definition: v1,
      created_at: at(0),
      updated_at: at(0),
      last_position: events[0]?.position,
    });
    expect(await versionRows('p-1')).toEqual([
      {
        pipeline_id: 'p-1',
        version: 1,
        definition: v1,
        status: 'published',
        saved_at: at(0),
        published_at: at(0),
        last_position: events[0]?.position,
      },
    ]);
  });

  it('follows versions and the lifecycle through to archived, the same when delivered twice', async () => {
    const p = 'p-2';
    const events = history(p, [
      created(p),
      { type: 'PipelineActivated', data: { pipelineId: p, version: 1, activatedAt: T(1) } },
      { type: 'PipelineVersionSaved', data: { pipelineId: p, version: 2, definition: v2, savedAt: T(2) } },
      { type: 'PipelineVersionPublished', data: { pipelineId: p, version: 2, publishedAt: T(3) } },
      { type: 'PipelineVersionSaved', data: { pipelineId: p, version: 3, definition: v3, savedAt: T(4) } },
      { type: 'PipelinePaused', data: { pipelineId: p, pausedAt: T(5) } },
      { type: 'PipelineResumed', data: { pipelineId: p, version: 2, resumedAt: T(6) } },
      {
        type: 'PipelineRolledBack',
        data: { pipelineId: p, fromVersion: 2, toVersion: 1, rolledBackAt: T(7) },
      },
      { type: 'PipelinePaused', data: { pipelineId: p, pausedAt: T(8) } },
      { type: 'PipelineArchived', data: { pipelineId: p, archivedAt: T(8) } },
    ]);
    await bed.deliverTwice(events);
    expect(await pipelineRow(p)).toEqual({
      ...origin,
      id: p,
      name: 'Orders',
      status: 'archived',
      version: 1,
      latest_version: 3,
      definition: v1,
      created_at: at(0),
      updated_at: at(8),
      archived_at: at(8),
      last_position: events.at(-1)?.position,
    });
    expect(await versionRows(p)).toEqual([
      expect.objectContaining({ version: 1, status: 'published', published_at: at(0), definition: v1 }),
      expect.objectContaining({
        version: 2,
        status: 'published',
        saved_at: at(2),
        published_at: at(3),
        definition: v2,
        last_position: events[3]?.position,
      }),
      expect.objectContaining({
        version: 3,
        status: 'draft',
        saved_at: at(4),
        published_at: null,
        definition: v3,
      }),
    ]);
  });

  it('shows the published definition after a publish and after a rollback', async () => {
    const p = 'p-3';
    const start = history(p, [
      created(p),
      { type: 'PipelineVersionSaved', data: { pipelineId: p, version: 2, definition: v2, savedAt: T(1) } },
      { type: 'PipelineVersionPublished', data: { pipelineId: p, version: 2, publishedAt: T(2) } },
    ]);
    await bed.deliverTwice(start);
    expect(await pipelineRow(p)).toMatchObject({ version: 2, definition: v2, updated_at: at(2) });
    const back = history(p, [
      {
        type: 'PipelineRolledBack',
        data: { pipelineId: p, fromVersion: 2, toVersion: 1, rolledBackAt: T(3) },
      },
    ]);
    await bed.deliverTwice(back);
    expect(await pipelineRow(p)).toMatchObject({ version: 1, definition: v1, updated_at: at(3) });
  });

  it('records where a cloned pipeline and one from a template came from', async () => {
    const events = [
      ...history('p-4', [
        {
          type: 'PipelineCloned',
          data: {
            pipelineId: 'p-4',
            name: 'Orders copy',
            version: 1,
            definition: v2,
            createdAt: T(1),
            clonedFrom: { pipelineId: 'p-2', version: 2 },
          },
        },
      ]),
      ...history('p-5', [
        {
          type: 'PipelineCreatedFromTemplate',
          data: {
            pipelineId: 'p-5',
            name: 'Copy',
            version: 1,
            definition: v1,
            createdAt: T(2),
            templateId: 'template.copy',
          },
        },
      ]),
    ];
    await bed.deliverTwice(events);
    expect(await pipelineRow('p-4')).toMatchObject({
      name: 'Orders copy',
      definition: v2,
      cloned_from_id: 'p-2',
      cloned_from_version: 2,
      template_id: null,
    });
    expect(await pipelineRow('p-5')).toMatchObject({ template_id: 'template.copy', cloned_from_id: null });
    expect(await versionRows('p-4')).toEqual([expect.objectContaining({ version: 1, definition: v2 })]);
  });

  it('publishes a pipelineChanged update per event that changed a pipeline, and none for a redelivery', async () => {
    const p = 'p-6';
    const events = [
      ...history(p, [
        created(p, 10),
        { type: 'PipelineActivated', data: { pipelineId: p, version: 1, activatedAt: T(11) } },
      ]),
      ...bed.record('run-r-1', [
        {
          type: 'RunRequested',
          data: { runId: 'r-1', pipelineId: p, version: 1, kind: 'batch', requestedAt: T(12) },
        },
      ]),
    ];
    const first = await apply(events);
    expect(first).toEqual([
      {
        topic: 'pipelineChanged',
        payload: {
          event: 'PipelineCreated',
          position: String(events[0]?.position),
          pipeline: {
            id: p,
            name: 'Orders',
            status: 'draft',
            version: 1,
            runningVersion: null,
            latestVersion: 1,
            ...v1,
            createdAt: T(10),
            updatedAt: T(10),
            archivedAt: null,
            clonedFrom: null,
            templateId: null,
            position: String(events[0]?.position),
          },
        },
      },
      {
        topic: 'pipelineChanged',
        payload: expect.objectContaining({
          event: 'PipelineActivated',
          pipeline: expect.objectContaining({ status: 'active', runningVersion: 1 }),
        }),
      },
    ]);
    expect(await apply(events)).toEqual([]);
  });
});

describe('pipelines read model migrations', () => {
  it('gives every pipeline of the walking skeleton its version 1, published when it was created', async () => {
    const { databaseUrl } = testServices();
    const schema = createTestSchema('pipelines_upgrade');
    const pool = createPostgresPool({ connectionString: databaseUrl, schema });
    try {
      const [first, second] = pipelineMigrations;
      await migrate(pool, schema, [first!]);
      await pool.query(
        `INSERT INTO pipelines (id, name, status, version, definition, created_at, updated_at, last_position)
         VALUES ('old', 'Old', 'active', 1, $1, $2, $3, 7)`,
        [JSON.stringify(v1), T(0), T(1)],
      );
      await migrate(pool, schema, [first!, second!]);
      expect((await pool.query(`SELECT ${PIPELINE_COLUMNS} FROM pipelines`)).rows).toEqual([
        {
          ...origin,
          id: 'old',
          name: 'Old',
          status: 'active',
          version: 1,
          latest_version: 1,
          definition: v1,
          created_at: at(0),
          updated_at: at(1),
          last_position: 7,
        },
      ]);
      expect((await pool.query(`SELECT ${PIPELINE_VERSION_COLUMNS} FROM pipeline_versions`)).rows).toEqual([
        {
          pipeline_id: 'old',
          version: 1,
          definition: v1,
          status: 'published',
          saved_at: at(0),
          published_at: at(0),
          last_position: 7,
        },
      ]);
    } finally {
      await pool.end();
      await dropTestSchema(databaseUrl, schema);
    }
  });
});
