import { describe, expect, it } from 'vitest';
import {
  ACTIONS,
  isPublicAction,
  N,
  OWN,
  PERMISSION_MATRIX,
  PUBLIC_ACTIONS,
  permissionOf,
  ROLE_DESCRIPTIONS,
  Y,
} from '../../../src/domain/permissions/permissionMatrix.js';
import { ROLES } from '../../../src/domain/users/roles.js';

const rows = Object.entries(PERMISSION_MATRIX);
const allowedTo = (role: (typeof ROLES)[number]) =>
  rows.filter(([action]) => permissionOf(role, action) !== N).map(([action]) => action);

describe('permission matrix', () => {
  it('describes every role in one line', () => {
    expect(Object.keys(ROLE_DESCRIPTIONS).sort()).toEqual([...ROLES].sort());
    for (const line of Object.values(ROLE_DESCRIPTIONS)) expect(line.length).toBeGreaterThan(20);
  });

  it('gives every action one decision per role, and names actions as <area>.<verb>', () => {
    for (const [action, row] of rows) {
      expect(row, action).toHaveLength(ROLES.length);
      expect(action).toMatch(/^[a-z][a-zA-Z]*\.[a-z][a-zA-Z]*$/);
    }
    for (const action of PUBLIC_ACTIONS) expect(Object.hasOwn(PERMISSION_MATRIX, action)).toBe(false);
    expect(new Set(ACTIONS).size).toBe(ACTIONS.length);
  });

  it('lets the admin do everything, on everyone', () => {
    expect(rows.filter(([, row]) => row[0] !== Y).map(([action]) => action)).toEqual([]);
  });

  it('keeps users, roles and the read models to the admin, except what a user does on their own account', () => {
    for (const role of ROLES.filter((r) => r !== 'admin')) {
      for (const [action] of rows.filter(([a]) => a.startsWith('user.') || a.startsWith('projection.'))) {
        if (action === 'projection.read' && role === 'developer') continue;
        expect([N, OWN], `${role} ${action}`).toContain(permissionOf(role, action));
      }
    }
    expect(permissionOf('viewer', 'user.changePassword')).toBe(OWN);
    expect(permissionOf('developer', 'user.invite')).toBe(N);
  });

  it('lets a designer shape pipelines but not publish, run or reach secrets', () => {
    expect(allowedTo('designer')).toEqual([
      'pipeline.read',
      'pipeline.create',
      'pipeline.clone',
      'pipeline.createFromTemplate',
      'pipeline.saveVersion',
      'run.read',
      'metrics.read',
      'connector.read',
      'alertRule.read',
      'alert.read',
      'search.read',
      'user.changePassword',
      'user.requestEmailVerification',
      'user.issueApiKey',
      'user.revokeApiKey',
      'auth.manageTotp',
    ]);
  });

  it('lets an executor operate pipelines and runs without changing a definition', () => {
    const executor = allowedTo('executor');
    expect(executor).toEqual(
      expect.arrayContaining(['pipeline.activate', 'pipeline.pause', 'pipeline.resume', 'pipeline.replay']),
    );
    for (const action of [
      'pipeline.create',
      'pipeline.saveVersion',
      'pipeline.publishVersion',
      'pipeline.rollBack',
      'connector.updateConfig',
      'connector.readSecrets',
      'alertRule.update',
    ]) {
      expect(executor).not.toContain(action);
    }
  });

  it('lets viewers and executives only read, and neither reads secrets, users or the audit log', () => {
    for (const role of ['viewer', 'executive'] as const) {
      // Besides reading, everyone manages the second factor of their own account.
      const allowed = allowedTo(role).filter(
        (action) => permissionOf(role, action) === Y && action !== 'auth.manageTotp',
      );
      expect(
        allowed.every((action) => action.endsWith('.read')),
        `${role}: ${allowed}`,
      ).toBe(true);
      for (const action of ['connector.readSecrets', 'user.read', 'audit.read']) {
        expect(permissionOf(role, action)).toBe(N);
      }
    }
    expect(permissionOf('viewer', 'connector.read')).toBe(Y);
    expect(permissionOf('executive', 'connector.read')).toBe(N);
  });

  it('allows public actions to every role, and denies an action it does not know', () => {
    for (const role of ROLES) expect(permissionOf(role, 'auth.login')).toBe(Y);
    expect(isPublicAction('user.verifyEmail')).toBe(true);
    expect(permissionOf('admin', 'pipeline.explode')).toBe(N);
  });
});
