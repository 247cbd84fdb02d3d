import { describe, expect, it } from 'vitest';
import { pipelineDecider, publishedVersionsOf } from '../../../src/domain/pipelines/pipeline.js';
import { given } from '../deciderSpec.js';
import {
  activate,
  activated,
  archived,
  created,
  day,
  definition,
  definitionV2,
  definitionV3,
  fold,
  paused,
  publish,
  published,
  rollBack,
  rolledBack,
  save,
  saved,
} from './pipelineFixtures.js';

describe('pipeline decider: SavePipelineVersion', () => {
  it('saves a definition as the next draft version', () => {
    given(pipelineDecider, [created])
      .when(save(definitionV2))
      .thenEvents([saved(2, definitionV2)]);
    given(pipelineDecider, [created, saved(2, definitionV2)])
      .when(save(definitionV3))
      .thenEvents([saved(3, definitionV3)]);
  });

  it('saves while the pipeline runs, without changing what runs', () => {
    const history = [created, activated(1), saved(2, definitionV2)];
    given(pipelineDecider, [created, activated(1)])
      .when(save(definitionV2))
      .thenEvents([saved(2, definitionV2)]);
    const state = fold(history);
    expect(state.status === 'active' && [state.version, state.definition]).toEqual([1, definition]);
  });

  it('rejects an invalid definition with the paths of its problems, saving nothing', () => {
    const broken = { ...definitionV2, steps: [{ kind: 'filter' as const, expr: 'amount >' }] };
    given(pipelineDecider, [created]).when(save(broken)).thenThrows('VALIDATION_FAILED', ['steps[0].expr']);
  });

  it('refuses to save a version of a pipeline that does not exist or is archived', () => {
    given(pipelineDecider, []).when(save(definitionV2)).thenThrows('PIPELINE_NOT_FOUND');
    given(pipelineDecider, [created, archived]).when(save(definitionV2)).thenThrows('PIPELINE_ARCHIVED');
  });
});

describe('pipeline decider: PublishPipelineVersion', () => {
  const withDraft = [created, saved(2, definitionV2)];

  it('publishes a saved draft', () => {
    given(pipelineDecider, withDraft)
      .when(publish(2))
      .thenEvents([published(2)]);
  });

  it('records nothing when the version is already the published one', () => {
    given(pipelineDecider, [created]).when(publish(1)).thenEvents([]);
    given(pipelineDecider, [...withDraft, published(2)])
      .when(publish(2))
      .thenEvents([]);
  });

  it('refuses a version that was never saved, naming the versions there are', () => {
    given(pipelineDecider, withDraft).when(publish(3)).thenThrows('PIPELINE_VERSION_NOT_FOUND');
    expect(() => pipelineDecider.decide(publish(7), fold(withDraft))).toThrow(
      'The pipeline has no version 7; its versions are 1 to 2',
    );
  });

  it('refuses to publish an earlier published version again: that is a rollback', () => {
    given(pipelineDecider, [...withDraft, published(2)])
      .when(publish(1))
      .thenThrows('PIPELINE_VERSION_ALREADY_PUBLISHED');
  });

  it('refuses to publish on a pipeline that does not exist or is archived', () => {
    given(pipelineDecider, []).when(publish(1)).thenThrows('PIPELINE_NOT_FOUND');
    given(pipelineDecider, [...withDraft, archived])
      .when(publish(2))
      .thenThrows('PIPELINE_ARCHIVED');
  });
});

describe('pipeline decider: which version runs', () => {
  it('runs the version created with the pipeline when nothing else is published', () => {
    given(pipelineDecider, [created, saved(2, definitionV2)])
      .when(activate)
      .thenEvents([activated(1)]);
  });

  it('runs the published version on activation', () => {
    given(pipelineDecider, [created, saved(2, definitionV2), published(2)])
      .when(activate)
      .thenEvents([activated(2)]);
  });

  it('switches what runs when a version is published while active', () => {
    const state = fold([created, activated(1), saved(2, definitionV2), published(2)]);
    expect(state).toMatchObject({ status: 'active', version: 2, definition: definitionV2 });
  });

  it('keeps every version with its status, and lists the published ones', () => {
    const history = [created, saved(2, definitionV2), published(2), saved(3, definitionV3)];
    expect(fold(history)).toMatchObject({
      versions: [
        { version: 1, definition, status: 'published', savedAt: day(1) },
        { version: 2, definition: definitionV2, status: 'published', savedAt: day(5) },
        { version: 3, definition: definitionV3, status: 'draft', savedAt: day(5) },
      ],
      version: 2,
    });
    expect(publishedVersionsOf(fold(history))).toEqual([1, 2]);
    expect(publishedVersionsOf(fold([]))).toEqual([]);
  });

  it('ignores a publication of a version it never saw, rather than run a wrong definition', () => {
    expect(fold([created, published(5)])).toEqual(fold([created]));
  });
});

describe('pipeline decider: RollBackPipeline', () => {
  const twoPublished = [created, saved(2, definitionV2), published(2)];

  it('rolls back to an earlier published version, which becomes the one that runs', () => {
    given(pipelineDecider, twoPublished)
      .when(rollBack(1))
      .thenEvents([rolledBack(2, 1)]);
    const state = fold([...twoPublished, activated(2), rolledBack(2, 1)]);
    expect(state).toMatchObject({ status: 'active', version: 1, definition });
  });

  it('rolls forward again by publishing the later version', () => {
    given(pipelineDecider, [...twoPublished, rolledBack(2, 1)])
      .when(publish(2))
      .thenEvents([published(2)]);
  });

  it('refuses the published version itself or a later one, naming the version field', () => {
    given(pipelineDecider, twoPublished).when(rollBack(2)).thenThrows('VALIDATION_FAILED', ['version']);
    given(pipelineDecider, [...twoPublished, saved(3, definitionV3)])
      .when(rollBack(3))
      .thenThrows('VALIDATION_FAILED', ['version']);
  });

  it('refuses an earlier version that was never published', () => {
    const history = [...twoPublished.slice(0, 2), saved(3, definitionV3), published(3)];
    given(pipelineDecider, history).when(rollBack(2)).thenThrows('PIPELINE_VERSION_NOT_PUBLISHED');
  });

  it('refuses a version that does not exist, and a pipeline that does not or is archived', () => {
    given(pipelineDecider, twoPublished).when(rollBack(0)).thenThrows('PIPELINE_VERSION_NOT_FOUND');
    given(pipelineDecider, []).when(rollBack(1)).thenThrows('PIPELINE_NOT_FOUND');
    given(pipelineDecider, [...twoPublished, paused, archived])
      .when(rollBack(1))
      .thenThrows('PIPELINE_ARCHIVED');
  });
});
