import { describe, expect, it } from 'vitest';
import { securityStreamId } from '../../../src/domain/permissions/accessDenied.js';
import { createAvroCodec } from '../../../src/infra/avro/avroCodec.js';
import { readAvroSchemaFiles } from '../../../src/infra/avro/avroSchemaFiles.js';
import { summarizeEvent } from '../../../src/projections/audit/summarizeEvent.js';
import { domainEventExamples } from '../../infra/avro/domainEventExamples.js';

const facts = (actor: string) => ({
  actor,
  nameOf: (streamId: string) => (streamId === 'pipeline-p-1' ? 'Clean orders' : undefined),
  changedFields: null,
});

describe('AccessDenied', () => {
  it('goes to the security stream of its UTC day', () => {
    expect(securityStreamId(new Date('2026-03-01T23:59:59.999Z'))).toBe('security-2026-03-01');
  });

  it('round-trips through its Avro schema, with and without the optional fields', () => {
    const codec = createAvroCodec(readAvroSchemaFiles());
    const denials = domainEventExamples().filter(({ type }) => type === 'AccessDenied');
    expect(denials).toHaveLength(2);
    for (const { data } of denials) {
      const decoded = codec.decode(
        'tributary.events.AccessDenied',
        codec.encode('tributary.events.AccessDenied', data),
      );
      expect(decoded).toEqual({ role: null, pipelineId: null, ...(data as object) });
    }
  });

  it('reads in the audit log as who was denied what, on which pipeline, and why', () => {
    const data = {
      actor: 'u-7',
      principalKind: 'user',
      role: 'viewer',
      action: 'pipeline.activate',
      reason: 'role viewer may not pipeline.activate',
      pipelineId: 'p-1',
      deniedAt: '2026-03-01T09:03:00.000Z',
    };
    expect(
      summarizeEvent(
        { type: 'AccessDenied', streamId: 'security-2026-03-01', data },
        facts('ann@example.com'),
      ),
    ).toBe(
      'ann@example.com was denied pipeline.activate on pipeline Clean orders: role viewer may not pipeline.activate',
    );
    const { pipelineId: _, ...withoutPipeline } = data;
    expect(
      summarizeEvent(
        { type: 'AccessDenied', streamId: 'security-2026-03-01', data: withoutPipeline },
        facts('anonymous'),
      ),
    ).toBe('anonymous was denied pipeline.activate: role viewer may not pipeline.activate');
  });
});
