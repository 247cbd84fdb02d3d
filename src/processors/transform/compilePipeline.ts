import { assertNever } from '../../domain/decider.js';
import type { AggregateStep, PipelineDefinition, Step } from '../../domain/pipelines/pipelineDefinition.js';
import { compileCastStep } from './compileCastStep.js';
import { compileDedupeStep } from './compileDedupeStep.js';
import { compileDefaultStep } from './compileDefaultStep.js';
import { compileDropStep } from './compileDropStep.js';
import type { CompiledStep, RecordContext, StepResult } from './compiledStep.js';
import { compileEnrichStep } from './compileEnrichStep.js';
import { compileFilterStep } from './compileFilterStep.js';
import { compileMapStep } from './compileMapStep.js';
import { compileRenameStep } from './compileRenameStep.js';
import { compileValidateStep } from './compileValidateStep.js';
import type { TransformDependencies } from './enrichLookups.js';
import type { JsonRecord } from './jsonRecord.js';
import { asStepFailure, type StepLocation } from './stepFailure.js';

export type { RecordContext } from './compiledStep.js';
export type { TransformDependencies } from './enrichLookups.js';
export { StepFailure } from './stepFailure.js';

/** A pipeline version's steps, compiled once when the version starts. */
export interface CompiledPipeline {
  /**
   * The record after every step, or null when a step dropped it (a filter that was false, a
   * dedupe duplicate). Throws (or rejects with) a StepFailure. The input is never mutated.
   * A version without I/O steps answers synchronously, always; with an enrich step it returns
   * a promise when a lookup misses its cache, and a plain value otherwise.
   */
  process(record: JsonRecord, context: RecordContext): JsonRecord | null | Promise<JsonRecord | null>;
  /**
   * As `process`, for a caller that gives the record up (one it has just decoded): the steps may
   * change it in place rather than copy it, and leave it half changed when one fails.
   */
  processInPlace(record: JsonRecord, context: RecordContext): JsonRecord | null | Promise<JsonRecord | null>;
  /** True when `process` may return a promise. */
  readonly async: boolean;
  /** Drops the steps' caches and dedupe windows; the Redis client and pool stay open. */
  close(): Promise<void>;
}

/** The steps that run per record, and the aggregate step after them, if the version has one. */
export interface SplitSteps {
  steps: Exclude<Step, AggregateStep>[];
  aggregate: AggregateStep | undefined;
}

/**
 * Splits a version at its aggregate step: the steps before it run per record (as
 * `compilePipeline` compiles them), then the aggregate engine (src/processors/aggregate) keeps
 * windows over what they give. Validation keeps an aggregate step last and single.
 */
export const splitAggregate = (definition: PipelineDefinition): SplitSteps => {
  const index = definition.steps.findIndex((step) => step.kind === 'aggregate');
  if (index === -1)
    return { steps: definition.steps as Exclude<Step, AggregateStep>[], aggregate: undefined };
  return {
    steps: definition.steps.slice(0, index) as Exclude<Step, AggregateStep>[],
    aggregate: definition.steps[index] as AggregateStep,
  };
};

const compileStep = (
  step: Exclude<Step, AggregateStep>,
  at: StepLocation,
  dependencies: TransformDependencies,
): CompiledStep => {
  switch (step.kind) {
    case 'map':
      return compileMapStep(step, at);
    case 'filter':
      return compileFilterStep(step, at);
    case 'rename':
      return compileRenameStep(step);
    case 'drop':
      return compileDropStep(step);
    case 'cast':
      return compileCastStep(step, at);
    case 'default':
      return compileDefaultStep(step);
    case 'dedupe':
      return compileDedupeStep(step, at);
    case 'enrich':
      return compileEnrichStep(step, at, dependencies);
    case 'validate':
      return compileValidateStep(step, at);
    default:
      return assertNever(step);
  }
};

/**
 * Compiles every step of a version before its aggregate step, if any (see `splitAggregate`),
 * (CEL parsed, Avro schemas read, lookups bound) into one function. Definitions reach here already validated by the domain; a step that still cannot
 * compile (an enrich step without its client) throws here, before any record is read.
 */
export const compilePipeline = (
  definition: PipelineDefinition,
  dependencies: TransformDependencies = {},
): CompiledPipeline => {
  const { steps: perRecord } = splitAggregate(definition);
  const locations = perRecord.map((step, index): StepLocation => ({ index, kind: step.kind }));
  const steps = perRecord.map((step, index) => compileStep(step, locations[index]!, dependencies));
  const runs = steps.map((step) => step.run);
  const inPlaceRuns = steps.map((step) => step.runInPlace);
  const count = runs.length;

  // Runs steps from `first` on, synchronously until one answers with a promise. The record is
  // copied once at most: a step that returns a new record hands it over (compiledStep.ts), so
  // from there on the steps that can change it in place do.
  const runFrom = (first: number, record: JsonRecord, owned: boolean, context: RecordContext): StepResult => {
    let current = record;
    for (let index = first; index < count; index += 1) {
      const inPlace = owned ? inPlaceRuns[index] : undefined;
      let next: StepResult;
      try {
        next = inPlace ? inPlace(current, context) : runs[index]!(current, context);
      } catch (error) {
        throw asStepFailure(error, locations[index]!);
      }
      if (next === null) return null;
      if (next instanceof Promise) return resume(next, index, current, owned, context);
      if (next !== current) owned = true;
      current = next;
    }
    return current;
  };

  const resume = async (
    pending: Promise<JsonRecord | null>,
    index: number,
    input: JsonRecord,
    owned: boolean,
    context: RecordContext,
  ): Promise<JsonRecord | null> => {
    let record: JsonRecord | null;
    try {
      record = await pending;
    } catch (error) {
      throw asStepFailure(error, locations[index]!);
    }
    return record === null ? null : runFrom(index + 1, record, owned || record !== input, context);
  };

  return {
    process: (record, context) => runFrom(0, record, false, context),
    processInPlace: (record, context) => runFrom(0, record, true, context),
    async: steps.some((step) => step.async),
    close: async () => {
      for (const step of steps) step.close?.();
    },
  };
};
