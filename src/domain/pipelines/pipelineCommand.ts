import type { PipelineDefinition } from './pipelineDefinition.js';

/**
 * What may be asked of a pipeline. A command that carries a definition also carries the ids of
 * the connectors that exist (the caller looks them up), so the definition's references can be
 * checked here; `CreatePipeline` predates connectors, and without the list none is known.
 */
export type PipelineCommand =
  | {
      type: 'CreatePipeline';
      data: {
        pipelineId: string;
        name: string;
        definition: PipelineDefinition;
        createdAt: string;
        knownConnectorIds?: readonly string[];
      };
    }
  | {
      /** A new pipeline from a version of another one, whose definition the caller loads. */
      type: 'ClonePipeline';
      data: {
        pipelineId: string;
        name: string;
        definition: PipelineDefinition;
        clonedFrom: { pipelineId: string; version: number };
        createdAt: string;
        knownConnectorIds: readonly string[];
      };
    }
  | {
      /** A new pipeline from a template, whose definition the caller loads. */
      type: 'CreatePipelineFromTemplate';
      data: {
        pipelineId: string;
        name: string;
        definition: PipelineDefinition;
        templateId: string;
        createdAt: string;
        knownConnectorIds: readonly string[];
      };
    }
  | {
      /** Saves the definition as a new draft version, one after the latest. */
      type: 'SavePipelineVersion';
      data: {
        pipelineId: string;
        definition: PipelineDefinition;
        savedAt: string;
        knownConnectorIds: readonly string[];
      };
    }
  | { type: 'PublishPipelineVersion'; data: { pipelineId: string; version: number; publishedAt: string } }
  | { type: 'ActivatePipeline'; data: { pipelineId: string; activatedAt: string } }
  | { type: 'PausePipeline'; data: { pipelineId: string; pausedAt: string } }
  | { type: 'ResumePipeline'; data: { pipelineId: string; resumedAt: string } }
  | { type: 'RollBackPipeline'; data: { pipelineId: string; version: number; rolledBackAt: string } }
  | { type: 'ArchivePipeline'; data: { pipelineId: string; archivedAt: string } };
