import type { RenameStep } from '../../domain/pipelines/pipelineDefinition.js';
import { type CompiledStep, syncStep } from './compiledStep.js';
import { renameAndDrop } from './compileMapStep.js';

/** Gives fields new names in place, as a map step's `rename` does. */
export const compileRenameStep = (step: RenameStep): CompiledStep =>
  syncStep(renameAndDrop(new Map(Object.entries(step.fields)), new Set()));
