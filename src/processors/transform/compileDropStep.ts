import type { DropStep } from '../../domain/pipelines/pipelineDefinition.js';
import { type CompiledStep, syncStep } from './compiledStep.js';
import { renameAndDrop } from './compileMapStep.js';

/** Leaves the named top-level fields out; the others keep their order. */
export const compileDropStep = (step: DropStep): CompiledStep =>
  syncStep(renameAndDrop(new Map(), new Set(step.fields)));
