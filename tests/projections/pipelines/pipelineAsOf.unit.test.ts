import { describe, expect, it } from 'vitest';
import type { PipelineEvent } from '../../../src/domain/pipelines/pipeline.js';
import type { RecordedEvent } from '../../../src/infra/eventstore/eventStore.js';
import { pipelineViewAsOf } from '../../../src/projections/pipelines/pipelineAsOf.js';
import {
  created,
  day,
  definition,
  definitionV2,
  pipelineId,
  published,
  saved,
} from '../../domain/pipelines/pipelineFixtures.js';

const recorded = (events: PipelineEvent[]): RecordedEvent[] =>
  events.map((event, revision) => ({
    id: `e-${revision}`,
    streamId: `pipeline-${pipelineId}`,
    revision,
    position: 100 + revision,
    type: event.type,
    data: event.data,
    metadata: {},
    recordedAt: new Date(day(revision + 1)),
  }));

const at = new Date(day(20));

describe('a pipeline as of an instant', () => {
  it('is null before the pipeline existed', () => {
    expect(pipelineViewAsOf([], at)).toBeNull();
  });

  it('is the fold of the events recorded until then, with their times, versions and position', () => {
    const view = pipelineViewAsOf(
      recorded([
        created,
        { type: 'PipelineActivated', data: { pipelineId, version: 1, activatedAt: day(2) } },
        saved(2, definitionV2),
        published(2),
      ]),
      at,
    );
    expect(view).toEqual({
      id: pipelineId,
      name: 'Orders',
      status: 'active',
      version: 2,
      runningVersion: 2,
      latestVersion: 2,
      ...definitionV2,
      createdAt: day(1),
      updatedAt: day(6),
      archivedAt: null,
      clonedFrom: null,
      templateId: null,
      position: '103',
      asOf: {
        at: at.toISOString(),
        versions: [
          {
            pipelineId,
            version: 1,
            status: 'published',
            ...definition,
            savedAt: day(1),
            publishedAt: day(1),
          },
          {
            pipelineId,
            version: 2,
            status: 'published',
            ...definitionV2,
            savedAt: day(5),
            publishedAt: day(6),
          },
        ],
      },
    });
  });

  it('shows a version saved but not yet published as a draft, the older one still published', () => {
    const view = pipelineViewAsOf(recorded([created, saved(2, definitionV2)]), at);
    expect(view).toMatchObject({
      version: 1,
      latestVersion: 2,
      runningVersion: null,
      steps: definition.steps,
    });
    expect(view?.asOf?.versions.map((v) => [v.version, v.status, v.publishedAt])).toEqual([
      [1, 'published', day(1)],
      [2, 'draft', null],
    ]);
  });
});
