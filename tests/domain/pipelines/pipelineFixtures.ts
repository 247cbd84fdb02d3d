import {
  type PipelineCommand,
  type PipelineEvent,
  type PipelineState,
  pipelineDecider,
} from '../../../src/domain/pipelines/pipeline.js';
import {
  type PipelineDefinition,
  validatePipelineDefinition,
} from '../../../src/domain/pipelines/pipelineDefinition.js';

/** Commands and the events they record for pipeline `p-1`, one day apart, for decider tests. */
export const pipelineId = 'p-1';
export const day = (n: number) => `2026-01-${String(n).padStart(2, '0')}T00:00:00.000Z`;

export const definition: PipelineDefinition = {
  source: { topic: 'orders.raw', format: 'json' },
  steps: [{ kind: 'map', rename: { cust: 'customerId' }, drop: ['internal'] }],
  sink: { topic: 'orders.clean' },
};
export const definitionV2: PipelineDefinition = {
  ...definition,
  steps: [...definition.steps, { kind: 'filter', expr: 'amount > 10' }],
};
export const definitionV3: PipelineDefinition = { ...definitionV2, sink: { connectorId: 'warehouse' } };
export const knownConnectorIds = ['warehouse', 'crm'];

export const create = (
  overrides: { name?: string; definition?: PipelineDefinition } = {},
): PipelineCommand => ({
  type: 'CreatePipeline',
  data: {
    pipelineId,
    name: overrides.name ?? 'Orders',
    definition: overrides.definition ?? definition,
    createdAt: day(1),
  },
});
export const activate: PipelineCommand = {
  type: 'ActivatePipeline',
  data: { pipelineId, activatedAt: day(2) },
};
export const pause: PipelineCommand = { type: 'PausePipeline', data: { pipelineId, pausedAt: day(3) } };
export const resume: PipelineCommand = { type: 'ResumePipeline', data: { pipelineId, resumedAt: day(4) } };
export const save = (saved: PipelineDefinition): PipelineCommand => ({
  type: 'SavePipelineVersion',
  data: { pipelineId, definition: saved, savedAt: day(5), knownConnectorIds },
});
export const publish = (version: number): PipelineCommand => ({
  type: 'PublishPipelineVersion',
  data: { pipelineId, version, publishedAt: day(6) },
});
export const rollBack = (version: number): PipelineCommand => ({
  type: 'RollBackPipeline',
  data: { pipelineId, version, rolledBackAt: day(7) },
});
export const archive: PipelineCommand = { type: 'ArchivePipeline', data: { pipelineId, archivedAt: day(8) } };

export const created: Extract<PipelineEvent, { type: 'PipelineCreated' }> = {
  type: 'PipelineCreated',
  data: { pipelineId, name: 'Orders', version: 1, definition, createdAt: day(1) },
};
export const activated = (version = 1): PipelineEvent => ({
  type: 'PipelineActivated',
  data: { pipelineId, version, activatedAt: day(2) },
});
export const paused: PipelineEvent = { type: 'PipelinePaused', data: { pipelineId, pausedAt: day(3) } };
export const resumed = (version = 1): PipelineEvent => ({
  type: 'PipelineResumed',
  data: { pipelineId, version, resumedAt: day(4) },
});
export const saved = (version: number, savedDefinition: PipelineDefinition): PipelineEvent => ({
  type: 'PipelineVersionSaved',
  data: { pipelineId, version, definition: savedDefinition, savedAt: day(5) },
});
export const published = (version: number): PipelineEvent => ({
  type: 'PipelineVersionPublished',
  data: { pipelineId, version, publishedAt: day(6) },
});
export const rolledBack = (fromVersion: number, toVersion: number): PipelineEvent => ({
  type: 'PipelineRolledBack',
  data: { pipelineId, fromVersion, toVersion, rolledBackAt: day(7) },
});
export const archived: PipelineEvent = { type: 'PipelineArchived', data: { pipelineId, archivedAt: day(8) } };

/** The state after `history`, for assertions the spec helper does not make (messages, parts). */
export const fold = (history: readonly PipelineEvent[]): PipelineState =>
  history.reduce(pipelineDecider.evolve, pipelineDecider.initialState);

/** The problems of the fixture definition with `parts` in place of its own, as data from outside. */
export const problemsWith = (parts: object) =>
  validatePipelineDefinition({ ...definition, ...parts } as PipelineDefinition, { knownConnectorIds });
/** The problems of the fixture definition with these steps. */
export const problemsOfSteps = (...steps: unknown[]) => problemsWith({ steps });
