import type { IResolvers } from 'mercurius';
import {
  type PipelineCommand,
  type PipelineEvent,
  pipelineDecider,
  pipelineStreamId,
} from '../../domain/pipelines/pipeline.js';
import { deterministicId } from '../../infra/eventstore/deterministicId.js';
import type { ApiContext } from '../apiServices.js';
import { authorize } from '../authorize.js';
import { knownConnectorIdsOf } from './knownConnectorIds.js';
import { definitionOfVersion, loadPipelineState } from './loadPipeline.js';
import {
  type CreatePipelineInput,
  type DefinitionInput,
  type SinkInput,
  type SourceInput,
  toPipelineDefinition,
} from './pipelineInput.js';
import { definitionFromTemplate } from './pipelineTemplates.js';
import { runCommand } from './runCommand.js';

/** The version a command's events concern (saved, published, rolled back to, ...), if any. */
const versionOf = (events: readonly PipelineEvent[]): number | null => {
  for (const { data } of [...events].reverse()) {
    if ('toVersion' in data) return data.toVersion;
    if ('version' in data) return data.version;
  }
  return null;
};

const runPipelineCommand = async (context: ApiContext, command: PipelineCommand) => {
  const { pipelineId } = command.data;
  const { events, position } = await runCommand(
    context,
    pipelineDecider,
    pipelineStreamId(pipelineId),
    command,
  );
  return { pipelineId, version: versionOf(events), position };
};

// Derived from the idempotency key when there is one, so a retried create finds the stream of
// its first attempt rather than creating a second pipeline.
const newPipelineId = (context: ApiContext) =>
  context.commandId ? deterministicId(`pipeline:${context.commandId}`) : context.services.newId();

const now = (context: ApiContext) => context.services.now().toISOString();

type IdArgs = { id: string };
type VersionArgs = { id: string; version: number };

/** One mutation per pipeline command; each authorizes, sends the command, returns the ids and position. */
export const pipelineMutations: IResolvers['Mutation'] = {
  createPipeline: async (_root, { input }: { input: CreatePipelineInput }, context: ApiContext) => {
    authorize(context, 'pipeline.create');
    const definition = toPipelineDefinition(input);
    return runPipelineCommand(context, {
      type: 'CreatePipeline',
      data: {
        pipelineId: newPipelineId(context),
        name: input.name,
        definition,
        createdAt: now(context),
        knownConnectorIds: await knownConnectorIdsOf(context.services.eventStore, definition),
      },
    });
  },
  clonePipeline: async (
    _root,
    { input }: { input: { pipelineId: string; version?: number | null; name: string } },
    context: ApiContext,
  ) => {
    authorize(context, 'pipeline.clone', { pipelineId: input.pipelineId });
    const { eventStore } = context.services;
    const origin = definitionOfVersion(await loadPipelineState(eventStore, input.pipelineId), input.version);
    return runPipelineCommand(context, {
      type: 'ClonePipeline',
      data: {
        pipelineId: newPipelineId(context),
        name: input.name,
        definition: origin.definition,
        clonedFrom: { pipelineId: input.pipelineId, version: origin.version },
        createdAt: now(context),
        knownConnectorIds: await knownConnectorIdsOf(eventStore, origin.definition),
      },
    });
  },
  createPipelineFromTemplate: async (
    _root,
    {
      input,
    }: { input: { templateId: string; name: string; source?: SourceInput | null; sink?: SinkInput | null } },
    context: ApiContext,
  ) => {
    authorize(context, 'pipeline.createFromTemplate');
    const { eventStore } = context.services;
    const definition = await definitionFromTemplate(eventStore, input.templateId, input);
    return runPipelineCommand(context, {
      type: 'CreatePipelineFromTemplate',
      data: {
        pipelineId: newPipelineId(context),
        name: input.name,
        definition,
        templateId: input.templateId,
        createdAt: now(context),
        knownConnectorIds: await knownConnectorIdsOf(eventStore, definition),
      },
    });
  },
  savePipelineVersion: async (
    _root,
    { input }: { input: DefinitionInput & { pipelineId: string } },
    context: ApiContext,
  ) => {
    authorize(context, 'pipeline.saveVersion', { pipelineId: input.pipelineId });
    const definition = toPipelineDefinition(input);
    return runPipelineCommand(context, {
      type: 'SavePipelineVersion',
      data: {
        pipelineId: input.pipelineId,
        definition,
        savedAt: now(context),
        knownConnectorIds: await knownConnectorIdsOf(context.services.eventStore, definition),
      },
    });
  },
  publishPipelineVersion: (_root, { id, version }: VersionArgs, context: ApiContext) => {
    authorize(context, 'pipeline.publishVersion', { pipelineId: id });
    return runPipelineCommand(context, {
      type: 'PublishPipelineVersion',
      data: { pipelineId: id, version, publishedAt: now(context) },
    });
  },
  activatePipeline: (_root, { id }: IdArgs, context: ApiContext) => {
    authorize(context, 'pipeline.activate', { pipelineId: id });
    return runPipelineCommand(context, {
      type: 'ActivatePipeline',
      data: { pipelineId: id, activatedAt: now(context) },
    });
  },
  pausePipeline: (_root, { id }: IdArgs, context: ApiContext) => {
    authorize(context, 'pipeline.pause', { pipelineId: id });
    return runPipelineCommand(context, {
      type: 'PausePipeline',
      data: { pipelineId: id, pausedAt: now(context) },
    });
  },
  resumePipeline: (_root, { id }: IdArgs, context: ApiContext) => {
    authorize(context, 'pipeline.resume', { pipelineId: id });
    return runPipelineCommand(context, {
      type: 'ResumePipeline',
      data: { pipelineId: id, resumedAt: now(context) },
    });
  },
  rollBackPipeline: (_root, { id, version }: VersionArgs, context: ApiContext) => {
    authorize(context, 'pipeline.rollBack', { pipelineId: id });
    return runPipelineCommand(context, {
      type: 'RollBackPipeline',
      data: { pipelineId: id, version, rolledBackAt: now(context) },
    });
  },
  archivePipeline: (_root, { id }: IdArgs, context: ApiContext) => {
    authorize(context, 'pipeline.archive', { pipelineId: id });
    return runPipelineCommand(context, {
      type: 'ArchivePipeline',
      data: { pipelineId: id, archivedAt: now(context) },
    });
  },
};
