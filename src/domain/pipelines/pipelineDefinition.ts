import type { FieldProblem } from '../../errors.js';
import { type AggregateStep, validateAggregateStep } from './aggregateStep.js';
import { validateAvroRecordSchema } from './avroRecordSchema.js';
import { type CastStep, validateCastStep } from './castStep.js';
import { type DedupeStep, validateDedupeStep } from './dedupeStep.js';
import { type DefaultStep, validateDefaultStep } from './defaultStep.js';
import { type DropStep, validateDropStep } from './dropStep.js';
import { type EnrichStep, validateEnrichStep } from './enrichStep.js';
import { type FilterStep, validateFilterStep } from './filterStep.js';
import { type MapStep, validateMapStep } from './mapStep.js';
import { type RenameStep, validateRenameStep } from './renameStep.js';
import { validateRetryPolicy } from './retryPolicy.js';
import { type ValidateStep, validateValidateStep } from './validateStep.js';

export type {
  AggregateEmit,
  AggregateMeasure,
  AggregateStep,
  AggregateWindow,
  MeasureFunction,
} from './aggregateStep.js';
export type { CastStep, CastType } from './castStep.js';
export type { DedupeStep } from './dedupeStep.js';
export type { DefaultStep } from './defaultStep.js';
export type { DropStep } from './dropStep.js';
export type { EnrichLookup, EnrichStep } from './enrichStep.js';
export type { FilterStep } from './filterStep.js';
export type { MapStep } from './mapStep.js';
export type { RenameStep } from './renameStep.js';
export type { ValidateStep } from './validateStep.js';

/**
 * A pipeline version is data: where records come from, the steps that reshape them, where they
 * go. A source or sink is either a Kafka topic named here or a connector configured apart.
 */
export interface PipelineDefinition {
  source: PipelineSource;
  steps: Step[];
  sink: PipelineSink;
  /**
   * At least once unless the version asks for exactly once (Kafka transactions: sink records
   * and source offsets commit together). Absent in versions saved before it existed.
   */
  delivery?: DeliveryGuarantee;
  /** How a record whose step fails for a passing reason (a lookup timing out) is tried again. */
  retry?: RetryPolicy;
}

export type DeliveryGuarantee = 'at-least-once' | 'exactly-once';

/**
 * `maxAttempts` counts the first try: 1 means no retry. The wait doubles from `backoffMs` up
 * to `maxBackoffMs`. Failures that would fail again the same way (a bad cast, an invalid
 * record) are not retried: they go to the DLQ at once.
 */
export interface RetryPolicy {
  maxAttempts: number;
  backoffMs: number;
  maxBackoffMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 3, backoffMs: 200, maxBackoffMs: 5_000 };

export type PipelineSource = TopicSource | ConnectorReference;
export type PipelineSink = TopicSink | ConnectorReference;

export interface TopicSource {
  topic: string;
  format: RecordFormat;
  /** The Avro schema of the records, as JSON text; required when `format` is avro. */
  schema?: string;
}

export interface TopicSink {
  topic: string;
  /** JSON when absent (sinks saved before formats existed). */
  format?: RecordFormat;
  /** The Avro schema records are written with, as JSON text; required when `format` is avro. */
  schema?: string;
}

/** A source or sink that a connector describes (its system, location and credentials). */
export interface ConnectorReference {
  connectorId: string;
}

/**
 * JSON: one JSON object per record. Avro: Avro's single-object encoding (a two-byte marker,
 * the schema's 64-bit Rabin fingerprint, then the binary record), with the version's schema.
 */
export type RecordFormat = 'json' | 'avro';

export type Step =
  | MapStep
  | FilterStep
  | RenameStep
  | DropStep
  | CastStep
  | DefaultStep
  | DedupeStep
  | EnrichStep
  | ValidateStep
  | AggregateStep;

export const isConnectorReference = (end: PipelineSource | PipelineSink): end is ConnectorReference =>
  Object.hasOwn(end, 'connectorId');

/**
 * What validation needs from outside the definition. The caller looks up the connectors, so the
 * domain can reject a reference to one that does not exist; with none given, none is known.
 */
export interface DefinitionContext {
  knownConnectorIds?: readonly string[];
}

// Kafka's own rule for topic names, so a definition valid here is valid on any broker.
const TOPIC_NAME = /^[a-zA-Z0-9._-]{1,249}$/;
const RECORD_FORMATS: readonly RecordFormat[] = ['json', 'avro'];
const DELIVERY_GUARANTEES: readonly DeliveryGuarantee[] = ['at-least-once', 'exactly-once'];
const MAX_STEPS = 100;

// A mapped type, so a step kind added to `Step` does not compile until it has a validator.
// Listed in the order kinds were added: messages name them in this order.
const STEP_VALIDATORS: { [Kind in Step['kind']]: (step: never, path: string) => FieldProblem[] } = {
  map: (step: MapStep, path) => validateMapStep(step, path),
  filter: (step: FilterStep, path) => validateFilterStep(step, path),
  rename: (step: RenameStep, path) => validateRenameStep(step, path),
  drop: (step: DropStep, path) => validateDropStep(step, path),
  cast: (step: CastStep, path) => validateCastStep(step, path),
  default: (step: DefaultStep, path) => validateDefaultStep(step, path),
  dedupe: (step: DedupeStep, path) => validateDedupeStep(step, path),
  enrich: (step: EnrichStep, path) => validateEnrichStep(step, path),
  validate: (step: ValidateStep, path) => validateValidateStep(step, path),
  aggregate: (step: AggregateStep, path) => validateAggregateStep(step, path),
};
const STEP_KINDS = Object.keys(STEP_VALIDATORS);

/**
 * The problems of a topic end's format and schema: an Avro topic needs the schema its records
 * are read or written with, a JSON one has no use for one. A sink may leave its format out
 * (JSON), as sinks saved before formats existed do.
 */
const validateTopicFormat = (
  path: 'source' | 'sink',
  end: Partial<TopicSource> | undefined,
  required: boolean,
): FieldProblem[] => {
  const format = end?.format ?? (required ? undefined : 'json');
  if (!RECORD_FORMATS.includes(format as RecordFormat)) {
    return [{ path: `${path}.format`, message: `must be one of: ${RECORD_FORMATS.join(', ')}` }];
  }
  if (format === 'avro') return validateAvroRecordSchema(end?.schema, `${path}.schema`);
  if (end?.schema != null) {
    return [
      {
        path: `${path}.schema`,
        message: 'only an avro topic has a schema: set format to avro, or leave it out',
      },
    ];
  }
  return [];
};

/** Every problem of a definition, each with the path of its field; empty when it is valid. */
export const validatePipelineDefinition = (
  definition: PipelineDefinition,
  context: DefinitionContext = {},
): FieldProblem[] => {
  const known = new Set(context.knownConnectorIds ?? []);
  const problems: FieldProblem[] = [];
  const topic = (path: string, value: unknown) => {
    if (typeof value !== 'string' || !TOPIC_NAME.test(value)) {
      problems.push({ path, message: 'must be 1 to 249 characters of letters, digits, ".", "_" or "-"' });
    }
  };
  const connector = (path: string, end: object, id: unknown, topicFields: string) => {
    if (['topic', 'format', 'schema'].some((field) => Object.hasOwn(end, field))) {
      problems.push({ path, message: `name a connectorId or ${topicFields}, not both` });
    } else if (typeof id !== 'string' || id.length === 0) {
      problems.push({ path: `${path}.connectorId`, message: 'must be a connector id' });
    } else if (!known.has(id)) {
      problems.push({ path: `${path}.connectorId`, message: `no connector has the id "${id}"` });
    }
  };

  // Definitions arrive as data from outside: any field may be missing or of the wrong type.
  const source = definition.source as Partial<TopicSource & ConnectorReference> | undefined;
  const sink = definition.sink as Partial<TopicSink & ConnectorReference> | undefined;
  if (source?.connectorId !== undefined) {
    connector('source', source, source.connectorId, 'topic and format');
  } else {
    topic('source.topic', source?.topic);
    problems.push(...validateTopicFormat('source', source, true));
  }
  if (sink?.connectorId !== undefined) {
    connector('sink', sink, sink.connectorId, 'topic');
  } else {
    topic('sink.topic', sink?.topic);
    if (source?.topic !== undefined && source.topic === sink?.topic) {
      problems.push({ path: 'sink.topic', message: 'must differ from source.topic, or records would loop' });
    }
    problems.push(...validateTopicFormat('sink', sink, false));
  }
  // Both absent in versions saved before they existed: those run at least once, with DEFAULT_RETRY_POLICY.
  // Null counts as absent, as an Avro reader gives optional fields.
  if (definition.delivery != null && !DELIVERY_GUARANTEES.includes(definition.delivery)) {
    problems.push({ path: 'delivery', message: `must be one of: ${DELIVERY_GUARANTEES.join(', ')}` });
  }
  if (definition.retry != null) problems.push(...validateRetryPolicy(definition.retry, 'retry'));

  if (!Array.isArray(definition.steps)) {
    problems.push({ path: 'steps', message: 'must be a list of steps' });
    return problems;
  }
  if (definition.steps.length > MAX_STEPS) {
    problems.push({ path: 'steps', message: `must hold at most ${MAX_STEPS} steps` });
  }
  definition.steps.forEach((step, index) => {
    const path = `steps[${index}]`;
    const kind: unknown = step?.kind;
    if (typeof kind !== 'string' || !STEP_KINDS.includes(kind)) {
      problems.push({ path: `${path}.kind`, message: `must be one of: ${STEP_KINDS.join(', ')}` });
    } else {
      problems.push(...STEP_VALIDATORS[kind as Step['kind']](step as never, path));
    }
    // Its output is one record per window and key, not the records the steps take: nothing
    // can follow it, and a second would aggregate aggregates whose windows never close alike.
    if (kind === 'aggregate' && index !== definition.steps.length - 1) {
      problems.push({
        path: `${path}.kind`,
        message: 'an aggregate step must be the last step (a version has at most one)',
      });
    }
  });
  return problems;
};
