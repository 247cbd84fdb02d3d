import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectorEvent } from '../../../src/domain/connectors/connector.js';
import type { PipelineEvent } from '../../../src/domain/pipelines/pipelineEvent.js';
import type { RunEvent } from '../../../src/domain/runs/run.js';
import type { UserEvent } from '../../../src/domain/users/userEvent.js';
import { searchProjection } from '../../../src/projections/search/searchProjection.js';
import {
  searchDocuments,
  suggestTitles,
  toPrefixQuery,
} from '../../../src/projections/search/searchQueries.js';
import { projectionTestBed } from '../projectionTestBed.js';

const bed = projectionTestBed(searchProjection);
const T = (minute: number) => new Date(Date.UTC(2026, 0, 1, 0, minute)).toISOString();
const definition = { source: { topic: 'in', format: 'json' as const }, steps: [], sink: { topic: 'out' } };
const RUN_ID = '3f2a9c1d-5e6f-4a1b-8c9d-0e1f2a3b4c5d';

const pipeline = (pipelineId: string, name: string, more: PipelineEvent[] = []) =>
  bed.record(`pipeline-${pipelineId}`, [
    { type: 'PipelineCreated', data: { pipelineId, name, version: 1, definition, createdAt: T(0) } },
    ...more,
  ]);
const connector = (connectorId: string, name: string, more: ConnectorEvent[] = []) =>
  bed.record(`connector-${connectorId}`, [
    {
      type: 'ConnectorCreated',
      data: {
        connectorId,
        name,
        configVersion: 1,
        direction: 'sink',
        kind: 'kafka-topic',
        config: { topic: 'out', format: 'json' },
        createdAt: T(0),
      },
    },
    ...more,
  ]);
const user = (userId: string, events: UserEvent[]) => bed.record(`user-${userId}`, events);
const run = (runId: string, events: RunEvent[]) => bed.record(`run-${runId}`, events);

const everything = { first: 20, kinds: null };
const document = async (kind: string, id: string) =>
  (
    await bed.pool.query(
      'SELECT kind, id, title, subtitle, keywords, facts, deleted FROM search_documents WHERE kind = $1 AND id = $2',
      [kind, id],
    )
  ).rows[0];

beforeAll(async () => {
  await bed.setUp();
  await bed.deliverTwice([
    ...pipeline('p-1', 'Clean orders', [
      { type: 'PipelineActivated', data: { pipelineId: 'p-1', version: 1, activatedAt: T(1) } },
    ]),
    ...pipeline('p-2', 'Pipeline nightly orders'),
    ...pipeline('p-3', 'Customer enrichment'),
    ...connector('c-1', 'Orders warehouse'),
    ...connector('c-2', 'Legacy orders feed', [
      { type: 'ConnectorDeleted', data: { connectorId: 'c-2', deletedAt: T(2) } },
    ]),
    ...user('u-1', [
      {
        type: 'UserInvited',
        data: {
          userId: 'u-1',
          email: 'ann.smith@example.com',
          role: 'developer',
          invitationTokenHash: 'a'.repeat(64),
          invitationExpiresAt: T(60),
          invitedAt: T(0),
        },
      },
      {
        type: 'UserRoleChanged',
        data: { userId: 'u-1', from: 'developer', to: 'designer', changedAt: T(3) },
      },
    ]),
    ...run(RUN_ID, [
      {
        type: 'RunRequested',
        data: { runId: RUN_ID, pipelineId: 'p-3', version: 1, kind: 'batch', requestedAt: T(4) },
      },
      { type: 'RunStarted', data: { runId: RUN_ID, startedAt: T(5) } },
      { type: 'RunCompleted', data: { runId: RUN_ID, completedAt: T(6) } },
    ]),
  ]);
});
afterAll(bed.tearDown);

describe('search read model', () => {
  it('keeps one document per pipeline, connector, user and run, the same when delivered twice', async () => {
    expect(await document('pipeline', 'p-1')).toEqual({
      kind: 'pipeline',
      id: 'p-1',
      title: 'Clean orders',
      subtitle: 'active · version 1',
      keywords: '',
      facts: { status: 'active', version: 1 },
      deleted: false,
    });
    expect(await document('connector', 'c-1')).toMatchObject({
      title: 'Orders warehouse',
      subtitle: 'sink connector · kafka-topic',
    });
    expect(await document('user', 'u-1')).toMatchObject({
      title: 'ann.smith@example.com',
      subtitle: 'designer · invited',
      keywords: 'ann smith example com',
    });
    expect(await document('run', RUN_ID)).toMatchObject({
      title: `Run ${RUN_ID}`,
      subtitle: 'batch run of Customer enrichment (version 1) · completed',
    });
  });

  it('finds documents by a word of their title, and a deleted connector not at all', async () => {
    const hits = await searchDocuments(bed.pool, 'orders', everything);
    expect(hits.map((hit) => [hit.kind, hit.id]).sort()).toEqual([
      ['connector', 'c-1'],
      ['pipeline', 'p-1'],
      ['pipeline', 'p-2'],
    ]);
    expect(hits.find((hit) => hit.id === 'p-1')).toEqual({
      kind: 'pipeline',
      id: 'p-1',
      title: 'Clean orders',
      subtitle: 'active · version 1',
      rank: expect.any(Number),
    });
  });

  it('matches words as prefixes, all of them, and narrows to the kinds asked for', async () => {
    expect((await searchDocuments(bed.pool, 'clea ord', everything)).map((hit) => hit.id)).toEqual(['p-1']);
    expect(
      (await searchDocuments(bed.pool, 'orders', { first: 20, kinds: ['connector'] })).map((hit) => hit.id),
    ).toEqual(['c-1']);
  });

  it('finds a user by a part of their e-mail address, and a run by its pipeline (ranked below the pipeline) or its id', async () => {
    expect((await searchDocuments(bed.pool, 'smith', everything)).map((hit) => hit.id)).toEqual(['u-1']);
    expect(
      (await searchDocuments(bed.pool, 'enrichment', everything)).map((hit) => [hit.kind, hit.id]),
    ).toEqual([
      ['pipeline', 'p-3'],
      ['run', RUN_ID],
    ]);
    expect((await searchDocuments(bed.pool, RUN_ID, everything)).map((hit) => hit.id)).toEqual([RUN_ID]);
    expect((await searchDocuments(bed.pool, '3f2a9c1d', everything)).map((hit) => hit.id)).toEqual([RUN_ID]);
  });

  it('suggests titles like a misspelt query', async () => {
    expect(await searchDocuments(bed.pool, 'pipline', everything)).toEqual([]);
    const suggestions = await suggestTitles(bed.pool, 'pipline', { first: 5, kinds: null });
    expect(suggestions[0]).toEqual({
      kind: 'pipeline',
      id: 'p-2',
      title: 'Pipeline nightly orders',
      similarity: expect.any(Number),
    });
    expect((await suggestTitles(bed.pool, 'custmer', { first: 5, kinds: null }))[0]?.title).toBe(
      'Customer enrichment',
    );
  });

  it('answers a query without words, or with tsquery syntax, with no hits rather than an error', async () => {
    expect(toPrefixQuery(`!&|:*()' "`)).toBe('');
    expect(toPrefixQuery("o'brien & (orders)")).toBe('o:* & brien:* & orders:*');
    expect(toPrefixQuery('clean-ord <-> x')).toBe('(clean-ord:* | clean:* & ord:*) & x:*');
    expect((await searchDocuments(bed.pool, 'clean-ord', everything)).map((hit) => hit.id)).toEqual(['p-1']);
    expect(await searchDocuments(bed.pool, '&|!', everything)).toEqual([]);
    expect(await suggestTitles(bed.pool, '   ', { first: 5, kinds: null })).toEqual([]);
  });
});
