import type { ConnectorEvent } from '../../domain/connectors/connector.js';
import { assertNever } from '../../domain/decider.js';
import type { PipelineEvent } from '../../domain/pipelines/pipelineEvent.js';
import type { RunEvent } from '../../domain/runs/run.js';
import type { UserEvent } from '../../domain/users/userEvent.js';

export const SEARCH_KINDS = ['pipeline', 'connector', 'user', 'run'] as const;
export type SearchKind = (typeof SEARCH_KINDS)[number];

/**
 * One thing people can find: what it is called (`title`, also the text suggestions are made
 * from) and the facts its subtitle is written from. A deleted connector stays as a tombstone,
 * hidden from searches, so an event delivered again cannot bring it back.
 */
export interface SearchDocument {
  kind: SearchKind;
  id: string;
  title: string;
  facts: Record<string, string | number>;
  deleted: boolean;
}

export type SearchedEvent = PipelineEvent | ConnectorEvent | UserEvent | RunEvent;

/** The document an event is about, or null when it changes no document. */
export const documentKeyOf = (event: {
  type: string;
  data: unknown;
}): { kind: SearchKind; id: string } | null => {
  const data = (event.data ?? {}) as Record<string, unknown>;
  const [kind, field] = KEY_FIELDS.find(([, , types]) => types.has(event.type)) ?? [];
  const id = field && data[field];
  return kind && typeof id === 'string' ? { kind, id } : null;
};

const KEY_FIELDS: [SearchKind, string, Set<string>][] = [
  [
    'pipeline',
    'pipelineId',
    new Set([
      'PipelineCreated',
      'PipelineCloned',
      'PipelineCreatedFromTemplate',
      'PipelineActivated',
      'PipelinePaused',
      'PipelineResumed',
      'PipelineRolledBack',
      'PipelineArchived',
    ]),
  ],
  ['connector', 'connectorId', new Set(['ConnectorCreated', 'ConnectorConfigUpdated', 'ConnectorDeleted'])],
  [
    'user',
    'userId',
    new Set([
      'AdminBootstrapped',
      'UserInvited',
      'InvitationAccepted',
      'UserRoleChanged',
      'UserDeactivated',
      'UserReactivated',
    ]),
  ],
  ['run', 'runId', new Set(['RunRequested', 'RunStarted', 'RunCompleted', 'RunFailed', 'RunCancelled'])],
];

const withFacts = (current: SearchDocument | null, facts: SearchDocument['facts']) =>
  current && { ...current, facts: { ...current.facts, ...facts } };

/**
 * The document after `event`, or null when the event changes none. `pipelineTitle` is the name
 * of the pipeline a run belongs to, as the pipeline's own document has it.
 */
export const nextDocument = (
  current: SearchDocument | null,
  event: SearchedEvent,
  pipelineTitle: string | undefined,
): SearchDocument | null => {
  switch (event.type) {
    case 'PipelineCreated':
    case 'PipelineCloned':
    case 'PipelineCreatedFromTemplate': {
      const { pipelineId, name, version } = event.data;
      const facts = { status: 'draft', version };
      return { kind: 'pipeline', id: pipelineId, title: name, facts, deleted: false };
    }
    case 'PipelineActivated':
    case 'PipelineResumed':
      return withFacts(current, { status: 'active', version: event.data.version });
    case 'PipelinePaused':
      return withFacts(current, { status: 'paused' });
    case 'PipelineRolledBack':
      return withFacts(current, { version: event.data.toVersion });
    case 'PipelineArchived':
      return withFacts(current, { status: 'archived' });
    case 'ConnectorCreated': {
      const { connectorId, name, direction, kind } = event.data;
      return { kind: 'connector', id: connectorId, title: name, facts: { direction, kind }, deleted: false };
    }
    case 'ConnectorConfigUpdated':
      return withFacts(current, { direction: event.data.direction, kind: event.data.kind });
    case 'ConnectorDeleted':
      return current && { ...current, deleted: true };
    case 'AdminBootstrapped':
    case 'UserInvited': {
      const { userId, email, role } = event.data;
      const status = event.type === 'UserInvited' ? 'invited' : 'active';
      return { kind: 'user', id: userId, title: email, facts: { role, status }, deleted: false };
    }
    case 'InvitationAccepted':
    case 'UserReactivated':
      return withFacts(current, { status: 'active' });
    case 'UserRoleChanged':
      return withFacts(current, { role: event.data.to });
    case 'UserDeactivated':
      return withFacts(current, { status: 'deactivated' });
    case 'RunRequested': {
      const { runId, pipelineId, version, kind } = event.data;
      const pipeline = pipelineTitle ?? pipelineId;
      const facts = { pipelineId, pipeline, version, kind, status: 'requested' };
      return { kind: 'run', id: runId, title: `Run ${runId}`, facts, deleted: false };
    }
    case 'RunStarted':
      return withFacts(current, { status: 'running' });
    case 'RunCompleted':
      return withFacts(current, { status: 'completed' });
    case 'RunFailed':
      return withFacts(current, { status: 'failed' });
    case 'RunCancelled':
      return withFacts(current, { status: 'cancelled' });
    // Nothing people search by changes with these.
    case 'PipelineVersionSaved':
    case 'PipelineVersionPublished':
    case 'ConnectionTested':
    case 'EmailVerificationRequested':
    case 'EmailVerified':
    case 'PasswordChanged':
    case 'UserLoginSucceeded':
    case 'UserLoginFailed':
    case 'UserLocked':
    case 'UserUnlocked':
    case 'ApiKeyIssued':
    case 'ApiKeyRevoked':
    case 'PasswordResetRequested':
    case 'PasswordReset':
    case 'TotpEnrollmentStarted':
    case 'TotpEnabled':
    case 'TotpDisabled':
    case 'RunProgressRecorded':
      return null;
    default:
      return assertNever(event);
  }
};

/** The subtitle shown under a hit, and the words besides title and subtitle it is found by. */
export const describeDocument = (document: SearchDocument): { subtitle: string; keywords: string } => {
  const f = document.facts;
  switch (document.kind) {
    case 'pipeline':
      return { subtitle: `${f.status} · version ${f.version}`, keywords: '' };
    case 'connector':
      return { subtitle: `${f.direction} connector · ${f.kind}`, keywords: '' };
    case 'user':
      // An address is one token to full-text search: its parts make "ann" or "example" find it.
      return { subtitle: `${f.role} · ${f.status}`, keywords: document.title.split(/[@.+_-]+/).join(' ') };
    case 'run':
      return {
        subtitle: `${f.kind} run of ${f.pipeline} (version ${f.version}) · ${f.status}`,
        keywords: document.id,
      };
  }
};
