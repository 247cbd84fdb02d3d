import type { Role } from '../users/roles.js';
import { isPublicAction, N, OWN, permissionOf } from './permissionMatrix.js';

/** Who asks, as far as access is concerned (the API's Principal has this shape). */
export interface AccessSubject {
  kind: 'user' | 'apiKey' | 'anonymous' | 'development';
  userId: string | null;
  role: Role | null;
  /** A key limited to pipelines names them; null means no such limit. */
  pipelineIds: readonly string[] | null;
}

/**
 * What an action is about, when the request says. `pipelineId: null` says the request names no
 * pipeline (a list of everything, a connector); a key limited to pipelines may not take it.
 */
export interface AccessResource {
  pipelineId?: string | null;
  userId?: string | null;
}

export type AccessDecision =
  | { allowed: true }
  | { allowed: false; code: 'FORBIDDEN' | 'UNAUTHENTICATED'; reason: string };

const ALLOWED: AccessDecision = { allowed: true };
const forbidden = (reason: string): AccessDecision => ({ allowed: false, code: 'FORBIDDEN', reason });

/**
 * Whether `subject` may take `action` on `resource`, by the permission matrix. Without a
 * resource, a rule that needs one (own account, a key's pipelines) does not hold: it fails
 * closed, and the caller that knows the resource must ask with it.
 */
export const decideAccess = (
  subject: AccessSubject,
  action: string,
  resource?: AccessResource,
): AccessDecision => {
  if (isPublicAction(action)) return ALLOWED;
  if (subject.kind === 'anonymous' || subject.role === null) {
    return {
      allowed: false,
      code: 'UNAUTHENTICATED',
      reason: `${action} needs a signed-in user or an API key`,
    };
  }
  const permission = permissionOf(subject.role, action);
  if (permission === N) return forbidden(`role ${subject.role} may not ${action}`);
  if (permission === OWN && (resource?.userId == null || resource.userId !== subject.userId)) {
    return forbidden(`role ${subject.role} may ${action} only on its own account`);
  }
  if (subject.pipelineIds !== null) {
    const pipelineId = resource?.pipelineId;
    if (pipelineId == null) return forbidden(`the API key is limited to pipelines, and ${action} names none`);
    if (!subject.pipelineIds.includes(pipelineId)) {
      return forbidden(`the API key is not for pipeline ${pipelineId}`);
    }
  }
  return ALLOWED;
};
