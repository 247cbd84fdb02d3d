import { type AccessDenied, securityStreamId } from '../domain/permissions/accessDenied.js';
import { type AccessResource, decideAccess } from '../domain/permissions/decideAccess.js';
import { TributaryError } from '../errors.js';
import { EVENT_SCHEMA_VERSION } from '../infra/eventstore/handleCommand.js';
import type { ApiContext, Principal } from './apiServices.js';

export type { AccessResource } from '../domain/permissions/decideAccess.js';

// Per request (or subscription connection): the actions the root-field guard granted with the
// resource its arguments name. A resolver's own call for the same action without a resource
// then holds: every resolver runs under a guarded root field, which checked what the resolver
// does not repeat. Only the guard grants, so without it a resource-less call stays strict.
const grantedByGuard = new WeakMap<object, Set<string>>();

/**
 * The one authorization point: every root field asks it (through authorizeRootFields.ts)
 * before its resolver runs, and resolvers ask again where they act. It decides by the
 * permission matrix (src/domain/permissions/permissionMatrix.ts) and throws FORBIDDEN when the
 * principal's role, own-account rule or API-key pipelines do not allow the action, and
 * UNAUTHENTICATED when nobody signed in. Every refusal is written to the audit log.
 */
export const authorize = (context: ApiContext, action: string, resource?: AccessResource): void => {
  if (resource === undefined && grantedByGuard.get(context)?.has(action)) return;
  check(context, action, resource);
};

/** authorize for a root field, with what its arguments name; see grantedByGuard. */
export const authorizeRootField = (context: ApiContext, action: string, resource: AccessResource): void => {
  check(context, action, resource);
  grantedByGuard.set(context, (grantedByGuard.get(context) ?? new Set()).add(action));
};

const check = (context: ApiContext, action: string, resource: AccessResource | undefined) => {
  const decision = decideAccess(context.principal, action, resource);
  if (decision.allowed) return;
  recordDenial(context, action, decision.reason, resource);
  throw new AccessRefused(decision.code, `${errorMessage(decision.code)}: ${decision.reason}`);
};

/**
 * A refusal that carries its code in `extensions` too: Mercurius sends a subscription's errors
 * without the error formatter, and GraphQL copies an original error's `extensions` onto the
 * error it sends, so a refused subscription still says FORBIDDEN or UNAUTHENTICATED.
 */
class AccessRefused extends TributaryError {
  readonly extensions: { code: string; category: string };

  constructor(code: 'FORBIDDEN' | 'UNAUTHENTICATED', message: string) {
    super(code, { message });
    this.name = 'AccessRefused';
    this.extensions = { code: this.code, category: this.category };
  }
}

/** The same decision without a trace: for filtering what a subscription delivers. */
export const isAllowed = (principal: Principal, action: string, resource?: AccessResource): boolean =>
  decideAccess(principal, action, resource).allowed;

const errorMessage = (code: 'FORBIDDEN' | 'UNAUTHENTICATED') =>
  code === 'FORBIDDEN' ? 'Not allowed' : 'Not signed in';

/**
 * Appends AccessDenied to the day's security stream without waiting: a refusal answers at once
 * whether or not the audit write succeeds, and a failed write is logged, never thrown.
 */
const recordDenial = (context: ApiContext, action: string, reason: string, resource?: AccessResource) => {
  const { principal, services } = context;
  const at = services.now();
  const actor = principal.kind === 'anonymous' ? 'anonymous' : context.actor;
  const event: AccessDenied = {
    type: 'AccessDenied',
    data: {
      actor,
      principalKind: principal.kind,
      ...(principal.role ? { role: principal.role } : {}),
      action,
      reason,
      ...(resource?.pipelineId ? { pipelineId: resource.pipelineId } : {}),
      deniedAt: at.toISOString(),
    },
  };
  const metadata = {
    actor,
    correlationId: context.correlationId,
    occurredAt: at.toISOString(),
    schemaVersion: EVENT_SCHEMA_VERSION,
  };
  void services.eventStore.append(securityStreamId(at), [{ ...event, metadata }]).catch((error: unknown) => {
    const log = context.reply?.log ?? context.app?.log;
    log?.warn({ err: error, action, actor }, 'could not record a denied action in the audit log');
  });
};
