import { describe, expect, it } from 'vitest';
import { type PipelineCommand, pipelineDecider } from '../../../src/domain/pipelines/pipeline.js';
import type { PipelineDefinition } from '../../../src/domain/pipelines/pipelineDefinition.js';
import { given } from '../deciderSpec.js';
import {
  activate,
  activated,
  archive,
  archived,
  create,
  created,
  day,
  definition,
  definitionV2,
  definitionV3,
  fold,
  knownConnectorIds,
  pause,
  paused,
  pipelineId,
  publish,
  published,
  resume,
  resumed,
  rollBack,
  save,
  saved,
} from './pipelineFixtures.js';

const clone = (
  overrides: {
    pipelineId?: string;
    clonedFrom?: { pipelineId: string; version: number };
    name?: string;
  } = {},
): PipelineCommand => ({
  type: 'ClonePipeline',
  data: {
    pipelineId: overrides.pipelineId ?? 'p-2',
    name: overrides.name ?? 'Orders (copy)',
    definition: definitionV3,
    clonedFrom: overrides.clonedFrom ?? { pipelineId, version: 3 },
    createdAt: day(9),
    knownConnectorIds,
  },
});
const fromTemplate = (
  templateId: string,
  templated: PipelineDefinition = definitionV2,
  newId = 'p-3',
): PipelineCommand => ({
  type: 'CreatePipelineFromTemplate',
  data: {
    pipelineId: newId,
    name: 'From template',
    definition: templated,
    templateId,
    createdAt: day(9),
    knownConnectorIds,
  },
});

describe('pipeline decider: ResumePipeline', () => {
  it('resumes a paused pipeline at its published version', () => {
    given(pipelineDecider, [created, activated(1), paused])
      .when(resume)
      .thenEvents([resumed(1)]);
    given(pipelineDecider, [created, activated(1), paused, saved(2, definitionV2), published(2)])
      .when(resume)
      .thenEvents([resumed(2)]);
    expect(fold([created, activated(1), paused, resumed(1)]).status).toBe('active');
  });

  it('refuses to resume a pipeline that is not paused, naming its status', () => {
    given(pipelineDecider, [created]).when(resume).thenThrows('PIPELINE_NOT_PAUSED');
    given(pipelineDecider, [created, activated(1)])
      .when(resume)
      .thenThrows('PIPELINE_NOT_PAUSED');
    expect(() => pipelineDecider.decide(resume, fold([created, activated(1)]))).toThrow(
      'The pipeline is active, not paused',
    );
    expect(() => pipelineDecider.decide(resume, fold([created]))).toThrow(
      'The pipeline is draft, not paused',
    );
  });

  it('refuses to resume a pipeline that does not exist or is archived', () => {
    given(pipelineDecider, []).when(resume).thenThrows('PIPELINE_NOT_FOUND');
    given(pipelineDecider, [created, activated(1), paused, archived])
      .when(resume)
      .thenThrows('PIPELINE_ARCHIVED');
  });
});

describe('pipeline decider: ArchivePipeline', () => {
  it('archives a draft or a paused pipeline', () => {
    given(pipelineDecider, [created]).when(archive).thenEvents([archived]);
    given(pipelineDecider, [created, activated(1), paused])
      .when(archive)
      .thenEvents([archived]);
  });

  it('stops a running pipeline first, then archives it', () => {
    given(pipelineDecider, [created, activated(1)])
      .when(archive)
      .thenEvents([{ type: 'PipelinePaused', data: { pipelineId, pausedAt: day(8) } }, archived]);
  });

  it('keeps its versions readable once archived', () => {
    const state = fold([created, saved(2, definitionV2), archived]);
    expect(state).toMatchObject({ status: 'archived', version: 1, definition });
    expect(state.status !== 'none' && state.versions.map((v) => v.version)).toEqual([1, 2]);
  });

  it('refuses every change afterwards with PIPELINE_ARCHIVED', () => {
    const commands = [activate, pause, resume, archive, save(definitionV2), publish(1), rollBack(1)];
    for (const command of commands) {
      given(pipelineDecider, [created, archived]).when(command).thenThrows('PIPELINE_ARCHIVED');
    }
    given(pipelineDecider, [created, archived]).when(create()).thenThrows('PIPELINE_ALREADY_EXISTS');
  });

  it('refuses to archive a pipeline that does not exist', () => {
    given(pipelineDecider, []).when(archive).thenThrows('PIPELINE_NOT_FOUND');
  });
});

describe('pipeline decider: ClonePipeline', () => {
  const cloned = {
    type: 'PipelineCloned',
    data: {
      pipelineId: 'p-2',
      name: 'Orders (copy)',
      version: 1,
      definition: definitionV3,
      createdAt: day(9),
      clonedFrom: { pipelineId, version: 3 },
    },
  } as const;

  it('creates a draft from the definition given, recording the pipeline and version it came from', () => {
    given(pipelineDecider, []).when(clone()).thenEvents([cloned]);
  });

  it('starts the clone like a new pipeline: a draft whose first version can run', () => {
    given(pipelineDecider, [cloned]).thenState({
      status: 'draft',
      pipelineId: 'p-2',
      name: 'Orders (copy)',
      versions: [{ version: 1, definition: definitionV3, status: 'published', savedAt: day(9) }],
      version: 1,
      definition: definitionV3,
    });
    given(pipelineDecider, [cloned])
      .when({ type: 'ActivatePipeline', data: { pipelineId: 'p-2', activatedAt: day(10) } })
      .thenEvents([
        { type: 'PipelineActivated', data: { pipelineId: 'p-2', version: 1, activatedAt: day(10) } },
      ]);
  });

  it('validates name, origin and definition together, in that order', () => {
    const command = clone({ name: '', clonedFrom: { pipelineId: 'p-2', version: 0 } });
    if (command.type !== 'ClonePipeline') throw new Error('a clone command');
    const withUnknownSink = {
      ...command,
      data: { ...command.data, definition: { ...definitionV3, sink: { connectorId: 'gone' } } },
    };
    given(pipelineDecider, [])
      .when(withUnknownSink)
      .thenThrows('VALIDATION_FAILED', [
        'name',
        'clonedFrom.pipelineId',
        'clonedFrom.version',
        'sink.connectorId',
      ]);
  });

  it('refuses an id that is taken', () => {
    given(pipelineDecider, [created]).when(clone({ pipelineId })).thenThrows('PIPELINE_ALREADY_EXISTS');
  });
});

describe('pipeline decider: CreatePipelineFromTemplate', () => {
  it('creates a draft from the template definition, recording the template', () => {
    given(pipelineDecider, [])
      .when(fromTemplate('tpl-kafka-to-warehouse'))
      .thenEvents([
        {
          type: 'PipelineCreatedFromTemplate',
          data: {
            pipelineId: 'p-3',
            name: 'From template',
            version: 1,
            definition: definitionV2,
            createdAt: day(9),
            templateId: 'tpl-kafka-to-warehouse',
          },
        },
      ]);
  });

  it('rejects a missing template id and an invalid definition with their paths', () => {
    const broken = { ...definitionV2, steps: [{ kind: 'filter' as const, expr: '1 +* 2' }] };
    given(pipelineDecider, [])
      .when(fromTemplate('', broken))
      .thenThrows('VALIDATION_FAILED', ['templateId', 'steps[0].expr']);
  });

  it('refuses an id that is taken', () => {
    given(pipelineDecider, [created])
      .when(fromTemplate('tpl', definitionV2, pipelineId))
      .thenThrows('PIPELINE_ALREADY_EXISTS');
  });
});
