import { describe, expect, it } from 'vitest';
import type { ApiContext, Principal } from '../../src/api/apiServices.js';
import { auditResolvers } from '../../src/api/resolvers/auditResolvers.js';
import type { AuditEntryView } from '../../src/projections/audit/auditEntry.js';

describe('audit entries, row level', () => {
  const entry = {
    summary: 'ann@example.com invited bob@example.com as viewer',
    data: { email: 'bob@example.com', role: 'viewer' },
  } as AuditEntryView;
  const as = (role: Principal['role']) =>
    ({ principal: { kind: 'user', userId: 'u-1', role, pipelineIds: null } }) as unknown as ApiContext;
  const fields = auditResolvers.AuditEntry as Record<
    'summary' | 'data',
    (entry: AuditEntryView, args: object, context: ApiContext) => string
  >;

  it('shows users’ addresses to a role that may read users', () => {
    expect(fields.summary(entry, {}, as('admin'))).toBe('ann@example.com invited bob@example.com as viewer');
    expect(fields.data(entry, {}, as('admin'))).toBe('{"email":"bob@example.com","role":"viewer"}');
  });

  it('cuts them short for a role that may not', () => {
    expect(fields.summary(entry, {}, as('developer'))).toBe(
      'a…@example.com invited b…@example.com as viewer',
    );
    expect(fields.data(entry, {}, as('developer'))).toBe('{"email":"b…@example.com","role":"viewer"}');
  });
});
