import type { RecordedEvent } from '../../infra/eventstore/eventStore.js';

/**
 * What the audit log remembers of a stream's subject so later summaries can name it: its name
 * (`label`) and, for subjects whose settings change, the value whose fields are compared
 * (`tracked`; kept only as digests, see `fieldDigests`).
 */
export interface SubjectUpdate {
  label?: string;
  tracked?: unknown;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const text = (data: Record<string, unknown>, field: string): string | undefined => {
  const value = data[field];
  return typeof value === 'string' ? value : undefined;
};

const short = (id: string | undefined) => id?.slice(0, 8);

// The id fields of event data and the streams they name.
const STREAM_OF_FIELD: Record<string, string> = {
  userId: 'user',
  connectorId: 'connector',
  pipelineId: 'pipeline',
  runId: 'run',
  ruleId: 'alertrule',
  alertId: 'alert',
};

/** The streams whose names a summary of `event` may use: its own, its actor's, and those its data names. */
export const referencedStreams = (event: RecordedEvent): string[] => {
  const streams = new Set([event.streamId]);
  if (event.metadata.actor) streams.add(`user-${event.metadata.actor}`);
  const data = isRecord(event.data) ? event.data : {};
  const sources = [data, isRecord(data.clonedFrom) ? data.clonedFrom : {}];
  for (const source of sources) {
    for (const [field, kind] of Object.entries(STREAM_OF_FIELD)) {
      const id = text(source, field);
      if (id) streams.add(`${kind}-${id}`);
    }
  }
  return [...streams];
};

const pick = (data: Record<string, unknown>, fields: readonly string[]) =>
  Object.fromEntries(fields.filter((field) => field in data).map((field) => [field, data[field]]));

const CONNECTOR_FIELDS = ['direction', 'kind', 'config'];
const RULE_FIELDS = ['name', 'condition', 'severity', 'channelIds'];

/** How `event` changes what is remembered of its stream's subject; null when it does not. */
export const subjectUpdateOf = (
  event: RecordedEvent,
  nameOf: (streamId: string) => string | undefined,
): SubjectUpdate | null => {
  if (!isRecord(event.data)) return null;
  const data = event.data;
  switch (event.type) {
    case 'AdminBootstrapped':
    case 'UserInvited':
      return { label: text(data, 'email') };
    case 'ConnectorCreated':
      return { label: text(data, 'name'), tracked: pick(data, CONNECTOR_FIELDS) };
    case 'ConnectorConfigUpdated':
      return { tracked: pick(data, CONNECTOR_FIELDS) };
    case 'PipelineCreated':
    case 'PipelineCloned':
    case 'PipelineCreatedFromTemplate':
      return { label: text(data, 'name'), tracked: data.definition };
    case 'PipelineVersionSaved':
      return { tracked: data.definition };
    case 'AlertRuleCreated':
    case 'AlertRuleUpdated':
      return { label: text(data, 'name'), tracked: pick(data, RULE_FIELDS) };
    case 'RunRequested': {
      const pipelineId = text(data, 'pipelineId');
      const pipeline = nameOf(`pipeline-${pipelineId}`) ?? short(pipelineId);
      return { label: `${short(text(data, 'runId'))} of pipeline ${pipeline}` };
    }
    case 'AlertFired': {
      const ruleId = text(data, 'ruleId');
      return {
        label: `${short(text(data, 'alertId'))} of rule ${nameOf(`alertrule-${ruleId}`) ?? short(ruleId)}`,
      };
    }
    default:
      return null;
  }
};
