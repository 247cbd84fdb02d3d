import type {
  AggregateStep,
  AggregateWindow,
  DeliveryGuarantee,
  EnrichLookup,
  EnrichStep,
  PipelineDefinition,
  PipelineSink,
  PipelineSource,
  RecordFormat,
  RetryPolicy,
  Step,
} from '../../domain/pipelines/pipelineDefinition.js';
import { type FieldProblem, ValidationError } from '../../errors.js';

export interface SourceInput {
  topic?: string | null;
  format?: RecordFormat | null;
  schema?: string | null;
  connectorId?: string | null;
}

export interface SinkInput {
  topic?: string | null;
  format?: RecordFormat | null;
  schema?: string | null;
  connectorId?: string | null;
}

type FieldRenameInput = { from: string; to: string };
/** GraphQL cannot name an enum value `null`, so the API says `set_null`. */
export type GraphQLOnMissing = 'set_null' | 'skip' | 'fail';
export type GraphQLDeliveryGuarantee = 'at_least_once' | 'exactly_once';

export interface StepInput {
  map?: {
    rename?: FieldRenameInput[] | null;
    drop?: string[] | null;
    set?: { field: string; expr: string }[] | null;
  } | null;
  filter?: { expr: string } | null;
  rename?: { fields: FieldRenameInput[] } | null;
  drop?: { fields: string[] } | null;
  // A string, not the CastType enum, so the domain names the step and field of an unknown type.
  cast?: { fields: { field: string; type: string }[] } | null;
  default?: { values: { field: string; value: string }[] } | null;
  dedupe?: { key: string; withinMs: number } | null;
  enrich?: {
    lookup: { redis?: { keyPrefix: string } | null; postgres?: { table: string; keyColumn: string } | null };
    key: string;
    into: string;
    cacheTtlMs: number;
    onMissing: GraphQLOnMissing;
  } | null;
  validate?: { schema: string } | null;
  aggregate?: {
    window: {
      type: AggregateWindow['type'];
      sizeMs?: number | null;
      advanceMs?: number | null;
      gapMs?: number | null;
    };
    key: string;
    eventTime?: string | null;
    measures: { name: string; fn: AggregateStep['measures'][number]['fn']; expression?: string | null }[];
    allowedLatenessMs?: number | null;
    emit?: AggregateStep['emit'] | null;
  } | null;
}

export interface DefinitionInput {
  source: SourceInput;
  steps: StepInput[];
  sink: SinkInput;
  delivery?: GraphQLDeliveryGuarantee | null;
  retry?: RetryPolicy | null;
}

export interface CreatePipelineInput extends DefinitionInput {
  name: string;
}

const STEP_KINDS = 'map, filter, rename, drop, cast, default, dedupe, enrich, validate, aggregate';

export const toDomainOnMissing = (onMissing: GraphQLOnMissing): EnrichStep['onMissing'] =>
  onMissing === 'set_null' ? 'null' : onMissing;
export const toGraphQLOnMissing = (onMissing: EnrichStep['onMissing']): GraphQLOnMissing =>
  onMissing === 'null' ? 'set_null' : onMissing;
export const toDomainDelivery = (delivery: GraphQLDeliveryGuarantee): DeliveryGuarantee =>
  delivery.replaceAll('_', '-') as DeliveryGuarantee;
export const toGraphQLDelivery = (delivery: DeliveryGuarantee): GraphQLDeliveryGuarantee =>
  delivery.replaceAll('-', '_') as GraphQLDeliveryGuarantee;

// Only the fields set, so a definition reads back as it was given and stays as older ones were.
const present = <Fields extends Record<string, unknown>>(fields: Fields) =>
  Object.fromEntries(Object.entries(fields).filter(([, value]) => value != null)) as {
    [Key in keyof Fields]?: NonNullable<Fields[Key]>;
  };

// A connector end passes on whatever else was set, so the domain names the conflict.
export const toSource = (input: SourceInput): PipelineSource => {
  const { topic, format, schema, connectorId } = input;
  if (connectorId != null) return { connectorId, ...present({ topic, format, schema }) } as PipelineSource;
  return { topic: topic as string, format: format ?? 'json', ...present({ schema }) };
};

// A topic sink without a format stays without one (JSON), as sinks saved before formats were.
export const toSink = (input: SinkInput): PipelineSink => {
  const { topic, format, schema, connectorId } = input;
  if (connectorId != null) return { connectorId, ...present({ topic, format, schema }) } as PipelineSink;
  return { topic: topic as string, ...present({ format, schema }) };
};

/**
 * Turns GraphQL's lists of pairs into a record by `keyOf`, naming (at `path[i].<keyName>`) a key
 * given twice, which a record cannot hold.
 */
const toRecord = <Item, Value>(
  items: readonly Item[],
  keyOf: (item: Item) => string,
  entryValue: (item: Item, index: number) => Value,
  at: { path: string; keyName: string; twice: string },
  problems: FieldProblem[],
): Record<string, Value> => {
  const record: Record<string, Value> = {};
  items.forEach((item, index) => {
    const key = keyOf(item);
    if (Object.hasOwn(record, key)) {
      problems.push({ path: `${at.path}[${index}].${at.keyName}`, message: `"${key}" is ${at.twice}` });
    }
    record[key] = entryValue(item, index);
  });
  return record;
};

const parseJson = (text: string, path: string, problems: FieldProblem[]): unknown => {
  try {
    return JSON.parse(text);
  } catch (error) {
    problems.push({ path, message: `is not JSON text: ${(error as Error).message}` });
    return undefined;
  }
};

const toStep = (step: StepInput, path: string, problems: FieldProblem[]): Step => {
  const renames = (items: readonly FieldRenameInput[], at: string) =>
    toRecord(
      items,
      (item) => item.from,
      (item) => item.to,
      { path: at, keyName: 'from', twice: 'renamed twice' },
      problems,
    );
  if (step.filter) return { kind: 'filter', expr: step.filter.expr };
  if (step.rename) return { kind: 'rename', fields: renames(step.rename.fields, `${path}.rename.fields`) };
  if (step.drop) return { kind: 'drop', fields: step.drop.fields };
  if (step.cast) {
    const at = { path: `${path}.cast.fields`, keyName: 'field', twice: 'cast twice' };
    const fields = toRecord(
      step.cast.fields,
      (item) => item.field,
      (item) => item.type,
      at,
      problems,
    );
    return { kind: 'cast', fields: fields as Extract<Step, { kind: 'cast' }>['fields'] };
  }
  if (step.default) {
    const at = `${path}.default.values`;
    const entryValue = (item: { value: string }, index: number) =>
      parseJson(item.value, `${at}[${index}].value`, problems);
    const twice = { path: at, keyName: 'field', twice: 'given a default twice' };
    return {
      kind: 'default',
      values: toRecord(step.default.values, (item) => item.field, entryValue, twice, problems),
    };
  }
  if (step.dedupe) return { kind: 'dedupe', key: step.dedupe.key, withinMs: step.dedupe.withinMs };
  if (step.enrich) {
    const { lookup, key, into, cacheTtlMs, onMissing } = step.enrich;
    // Both or neither kept as given, for the domain to refuse.
    const chosen = present({ redis: lookup.redis, postgres: lookup.postgres }) as EnrichLookup;
    return { kind: 'enrich', lookup: chosen, key, into, cacheTtlMs, onMissing: toDomainOnMissing(onMissing) };
  }
  if (step.validate) return { kind: 'validate', schema: step.validate.schema };
  if (step.aggregate) {
    const { window, key, eventTime, measures, allowedLatenessMs, emit } = step.aggregate;
    // The window's fields as given, so the domain names one that is missing.
    const { type, ...durations } = window;
    return {
      kind: 'aggregate',
      window: { type, ...present(durations) } as AggregateWindow,
      key,
      measures: measures.map(({ name, fn, expression }) => ({ name, fn, ...present({ expression }) })),
      ...present({ eventTime, allowedLatenessMs, emit }),
    };
  }
  const map = step.map ?? {};
  const set = toRecord(
    map.set ?? [],
    (item) => item.field,
    (item) => item.expr,
    { path: `${path}.map.set`, keyName: 'field', twice: 'set twice' },
    problems,
  );
  return {
    kind: 'map',
    rename: renames(map.rename ?? [], `${path}.map.rename`),
    drop: map.drop ?? [],
    // Left out when empty, so a map step reads back as map steps saved before set existed.
    ...(Object.keys(set).length > 0 && { set }),
  };
};

/**
 * Turns GraphQL step input into the domain's steps. Only what GraphQL's types cannot say is
 * checked here (one kind per step, a field named twice, JSON text that does not parse); the
 * domain validates the rest.
 */
export const toSteps = (input: readonly StepInput[]): Step[] => {
  const problems: FieldProblem[] = [];
  const steps = input.map((step, index): Step => {
    const kinds = Object.entries(step).filter(([, value]) => value != null);
    if (kinds.length !== 1) {
      problems.push({ path: `steps[${index}]`, message: `set exactly one step kind: ${STEP_KINDS}` });
    }
    return toStep(step, `steps[${index}]`, problems);
  });
  if (problems.length > 0) throw new ValidationError(problems);
  return steps;
};

export const toPipelineDefinition = (input: DefinitionInput): PipelineDefinition => ({
  source: toSource(input.source),
  steps: toSteps(input.steps),
  sink: toSink(input.sink),
  ...(input.delivery != null && { delivery: toDomainDelivery(input.delivery) }),
  ...(input.retry != null && { retry: { ...input.retry } }),
});
