import mercurius, { type IResolvers } from 'mercurius';
import { pipelineStreamId } from '../../domain/pipelines/pipeline.js';
import {
  type AggregateStep,
  type CastStep,
  DEFAULT_RETRY_POLICY,
  type DefaultStep,
  type DropStep,
  type EnrichStep,
  type MapStep,
  type PipelineDefinition,
  type PipelineSink,
  type RenameStep,
  type Step,
} from '../../domain/pipelines/pipelineDefinition.js';
import { ValidationError } from '../../errors.js';
import { upcastEvent } from '../../infra/eventstore/upcast.js';
import { isKeyFor, keyOfRow } from '../../projections/keysetPage.js';
import { pipelineViewAsOf } from '../../projections/pipelines/pipelineAsOf.js';
import {
  findPipeline,
  listPipelines,
  PIPELINE_SORT_KEYS,
  type PipelineFilter,
} from '../../projections/pipelines/pipelineQueries.js';
import { PIPELINE_CHANGED } from '../../projections/pipelines/pipelinesProjection.js';
import { type PipelineView, toPipelineView } from '../../projections/pipelines/pipelineView.js';
import type { ApiContext } from '../apiServices.js';
import { authorize } from '../authorize.js';
import { type ConnectionArgs, pageRequest, toConnection } from './connection.js';
import { toGraphQLDelivery, toGraphQLOnMissing } from './pipelineInput.js';
import { pipelineMutations } from './pipelineMutations.js';
import { builtInPipelineTemplates } from './pipelineTemplates.js';

interface PipelineChangeMessage {
  event: string;
  position: string;
  pipeline: PipelineView;
}

interface PipelinesArgs extends ConnectionArgs {
  filter?: PipelineFilter | null;
  orderBy?: { field?: 'CREATED_AT' | 'UPDATED_AT' | 'NAME' | null; direction?: 'ASC' | 'DESC' | null } | null;
}

const SORT_FIELDS = { CREATED_AT: 'createdAt', UPDATED_AT: 'updatedAt', NAME: 'name' } as const;

// A mapped type, so a step kind added to the domain does not compile until the schema has it.
const STEP_TYPES: { [Kind in Step['kind']]: string } = {
  map: 'MapStep',
  filter: 'FilterStep',
  rename: 'RenameStep',
  drop: 'DropStep',
  cast: 'CastStep',
  default: 'DefaultStep',
  dedupe: 'DedupeStep',
  enrich: 'EnrichStep',
  validate: 'ValidateStep',
  aggregate: 'AggregateStep',
};

// Versions saved before delivery and retry existed run as these defaults say, so they show them.
const definitionResolvers = {
  delivery: (definition: PipelineDefinition) => toGraphQLDelivery(definition.delivery ?? 'at-least-once'),
  retry: (definition: PipelineDefinition) => definition.retry ?? DEFAULT_RETRY_POLICY,
};

// By field name: the read model's jsonb keeps no key order, and these records have none that
// matters (each entry reads the incoming record), so every answer lists them alike.
const pairs = <Value, Pair>(
  record: Record<string, Value> | undefined,
  pair: (key: string, value: Value) => Pair,
) =>
  Object.entries(record ?? {})
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, value]) => pair(key, value));

// mercurius is CommonJS; Node's ESM loader cannot see its named exports, only the default.
const { withFilter } = mercurius;

const pipelineAsOf = async (context: ApiContext, id: string, asOf: string) => {
  const at = new Date(asOf);
  if (Number.isNaN(at.getTime())) {
    throw new ValidationError([
      { path: 'asOf', message: 'must be an ISO-8601 instant, such as 2026-01-31T12:00:00Z' },
    ]);
  }
  const events = await context.services.eventStore.readStream(pipelineStreamId(id), { until: at });
  return pipelineViewAsOf(events.map(upcastEvent), at);
};

const pipelines = async (_root: unknown, args: PipelinesArgs, context: ApiContext) => {
  authorize(context, 'pipeline.read');
  const field = SORT_FIELDS[args.orderBy?.field ?? 'CREATED_AT'];
  const direction = args.orderBy?.direction === 'DESC' ? 'desc' : 'asc';
  const sortKey = PIPELINE_SORT_KEYS[field];
  const request = pageRequest(args, {
    ordering: `pipelines:${field}:${direction}`,
    isKey: isKeyFor(sortKey),
  });
  const list = await listPipelines(context.services.pool, args.filter ?? {}, {
    orderBy: { field, direction },
    after: request.after,
    limit: request.limit,
  });
  return toConnection(request, list.rows, list.totalCount, {
    keyOf: (row) => keyOfRow(sortKey, row),
    toNode: toPipelineView,
  });
};

/** Resolvers turn input into commands and queries; the rules live in the domain. */
export const pipelineResolvers: IResolvers = {
  Query: {
    pipeline: async (_root, { id, asOf }: { id: string; asOf?: string | null }, context: ApiContext) => {
      authorize(context, 'pipeline.read', { pipelineId: id });
      if (asOf) return pipelineAsOf(context, id, asOf);
      const row = await findPipeline(context.services.pool, id);
      return row && toPipelineView(row);
    },
    pipelines,
    pipelineTemplates: (_root, _args, context: ApiContext) => {
      authorize(context, 'pipeline.read');
      return builtInPipelineTemplates;
    },
  },
  Mutation: pipelineMutations,
  Subscription: {
    pipelineChanged: {
      subscribe: withFilter(
        (_root, _args, context: ApiContext) => {
          authorize(context, 'pipeline.read');
          return context.pubsub.subscribe(PIPELINE_CHANGED);
        },
        (message: PipelineChangeMessage, args: { id?: string | null }) =>
          !args.id || message.pipeline.id === args.id,
      ),
      resolve: (message: PipelineChangeMessage) => message,
    },
  },
  Step: {
    resolveType: (step: Step) => STEP_TYPES[step.kind],
  },
  Pipeline: definitionResolvers,
  PipelineVersion: definitionResolvers,
  Sink: {
    // A topic sink saved before sinks had a format writes JSON.
    format: (sink: PipelineSink & { format?: string | null }) =>
      'connectorId' in sink ? null : (sink.format ?? 'json'),
  },
  MapStep: {
    rename: (step: MapStep) => pairs(step.rename, (from, to) => ({ from, to })),
    set: (step: MapStep) => pairs(step.set, (field, expr) => ({ field, expr })),
  },
  RenameStep: {
    fields: (step: RenameStep) => pairs(step.fields, (from, to) => ({ from, to })),
  },
  DropStep: {
    drop: (step: DropStep) => step.fields,
  },
  CastStep: {
    fields: (step: CastStep) => pairs(step.fields, (field, type) => ({ field, type })),
  },
  DefaultStep: {
    values: (step: DefaultStep) =>
      pairs(step.values, (field, value) => ({ field, value: JSON.stringify(value) })),
  },
  // Versions leave these out for their defaults; the API shows what runs.
  AggregateStep: {
    allowedLatenessMs: (step: AggregateStep) => step.allowedLatenessMs ?? 0,
    emit: (step: AggregateStep) => step.emit ?? 'onClose',
  },
  EnrichStep: {
    onMissing: (step: EnrichStep) => toGraphQLOnMissing(step.onMissing),
  },
};
