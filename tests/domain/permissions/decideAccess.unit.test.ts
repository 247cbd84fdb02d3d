import { describe, expect, it } from 'vitest';
import { type AccessSubject, decideAccess } from '../../../src/domain/permissions/decideAccess.js';

const user = (role: AccessSubject['role'], userId = 'u-1'): AccessSubject => ({
  kind: 'user',
  userId,
  role,
  pipelineIds: null,
});
const anonymous: AccessSubject = { kind: 'anonymous', userId: null, role: null, pipelineIds: null };
const scopedKey: AccessSubject = { kind: 'apiKey', userId: 'u-1', role: 'executor', pipelineIds: ['p-1'] };

describe('decideAccess', () => {
  it('allows what the role may do', () => {
    expect(decideAccess(user('executor'), 'pipeline.activate')).toEqual({ allowed: true });
  });

  it('refuses what the role may not do, saying which rule', () => {
    expect(decideAccess(user('viewer'), 'pipeline.activate')).toEqual({
      allowed: false,
      code: 'FORBIDDEN',
      reason: 'role viewer may not pipeline.activate',
    });
  });

  it('asks anonymous callers to sign in, except for public actions', () => {
    expect(decideAccess(anonymous, 'run.read')).toEqual({
      allowed: false,
      code: 'UNAUTHENTICATED',
      reason: 'run.read needs a signed-in user or an API key',
    });
    expect(decideAccess(anonymous, 'auth.login')).toEqual({ allowed: true });
  });

  it('allows an own-account action on the principal itself only', () => {
    expect(decideAccess(user('viewer'), 'user.changePassword', { userId: 'u-1' }).allowed).toBe(true);
    expect(decideAccess(user('viewer'), 'user.changePassword', { userId: 'u-2' })).toMatchObject({
      code: 'FORBIDDEN',
      reason: 'role viewer may user.changePassword only on its own account',
    });
    expect(decideAccess(user('viewer'), 'user.changePassword').allowed).toBe(false);
    expect(decideAccess(user('admin'), 'user.changePassword', { userId: 'u-2' }).allowed).toBe(true);
  });

  it('keeps a key limited to pipelines to those pipelines, and to requests that name one', () => {
    expect(decideAccess(scopedKey, 'pipeline.activate', { pipelineId: 'p-1' }).allowed).toBe(true);
    expect(decideAccess(scopedKey, 'pipeline.activate', { pipelineId: 'p-2' })).toMatchObject({
      code: 'FORBIDDEN',
      reason: 'the API key is not for pipeline p-2',
    });
    expect(decideAccess(scopedKey, 'run.read', { pipelineId: null })).toMatchObject({
      code: 'FORBIDDEN',
      reason: 'the API key is limited to pipelines, and run.read names none',
    });
    expect(decideAccess(scopedKey, 'pipeline.create', { pipelineId: 'p-1' })).toMatchObject({
      reason: 'role executor may not pipeline.create',
    });
  });
});
