import { describe, expect, it } from 'vitest';
import { type SummaryFacts, summarizeEvent } from '../../../src/projections/audit/summarizeEvent.js';

const names: Record<string, string> = {
  'pipeline-p-1': 'Clean orders',
  'connector-c-1': 'Orders DB',
  'user-u-1': 'ann@example.com',
  'alertrule-r-1': 'Error rate high',
  'run-run-1': '3f2a9c1d of pipeline Clean orders',
  'alert-a-1': '9d8c7b6a of rule Error rate high',
};
const facts = (changedFields: string[] | null = null): SummaryFacts => ({
  actor: 'ann',
  nameOf: (streamId) => names[streamId],
  changedFields,
});
const summary = (type: string, streamId: string, data: unknown, changed?: string[]) =>
  summarizeEvent({ type, streamId, data }, facts(changed ?? null));

describe('summarizeEvent', () => {
  it('says who created which pipeline, by its name', () => {
    expect(summary('PipelineCreated', 'pipeline-p-1', { pipelineId: 'p-1', name: 'Clean orders' })).toBe(
      'ann created pipeline Clean orders',
    );
  });

  it('names a subject from earlier events, and falls back to its short id when it is unknown', () => {
    expect(summary('PipelineActivated', 'pipeline-p-1', { pipelineId: 'p-1', version: 1 })).toBe(
      'ann activated pipeline Clean orders',
    );
    expect(summary('PipelinePaused', 'pipeline-0123456789', { pipelineId: '0123456789' })).toBe(
      'ann paused pipeline 01234567',
    );
  });

  it('names the fields of an update that changed, never their values', () => {
    expect(
      summary(
        'ConnectorConfigUpdated',
        'connector-c-1',
        { connectorId: 'c-1', config: { url: 'https://secret.example.com' } },
        ['config.headers.Authorization', 'config.url'],
      ),
    ).toBe('ann updated connector Orders DB: changed config.headers.Authorization, config.url');
    expect(summary('AlertRuleUpdated', 'alertrule-r-1', { ruleId: 'r-1', name: 'Renamed' }, [])).toBe(
      'ann updated alert rule Error rate high: nothing changed',
    );
    expect(summary('AlertRuleUpdated', 'alertrule-r-1', { ruleId: 'r-1', name: 'Renamed' })).toBe(
      'ann updated alert rule Error rate high',
    );
  });

  it('says a password changed without saying anything of it', () => {
    const text = summary('PasswordChanged', 'user-u-1', { userId: 'u-1', passwordHash: '$scrypt$abc' });
    expect(text).toBe('ann changed the password of user ann@example.com');
  });

  it('describes a connector by direction, name and kind, and leaves its config out', () => {
    expect(
      summary('ConnectorCreated', 'connector-c-2', {
        connectorId: 'c-2',
        name: 'Billing API',
        direction: 'source',
        kind: 'http-poll',
        config: { url: 'https://billing.example.com' },
      }),
    ).toBe('ann created source connector Billing API (http-poll)');
  });

  it('tells runs and alerts by their pipeline and rule', () => {
    expect(
      summary('RunRequested', 'run-run-1', { runId: 'run-1', pipelineId: 'p-1', version: 2, kind: 'batch' }),
    ).toBe('ann requested a batch run of pipeline Clean orders (version 2)');
    expect(summary('RunCompleted', 'run-run-1', { runId: 'run-1', completedAt: 'x' })).toBe(
      'run 3f2a9c1d of pipeline Clean orders completed',
    );
    expect(summary('AlertFired', 'alert-a-1', { alertId: 'a-1', ruleId: 'r-1', value: 0.2 })).toBe(
      'alert rule Error rate high fired at 0.2 (alert a-1)',
    );
    expect(summary('AlertAcknowledged', 'alert-a-1', { alertId: 'a-1', acknowledgedBy: 'ann' })).toBe(
      'ann acknowledged alert 9d8c7b6a of rule Error rate high',
    );
    expect(
      summary('AlertResolved', 'alert-a-1', { alertId: 'a-1', resolution: 'auto', resolvedBy: null }),
    ).toBe('alert 9d8c7b6a of rule Error rate high resolved itself');
  });

  it('falls back to "<type> on <stream>" for an unknown type or data it cannot read', () => {
    expect(summary('SomethingNew', 'thing-1', { a: 1 })).toBe('SomethingNew on thing-1');
    expect(summary('PipelineCreated', 'pipeline-p-9', { pipelineId: 'p-9' })).toBe(
      'PipelineCreated on pipeline-p-9',
    );
    expect(summary('RunProgressRecorded', 'run-run-1', { runId: 'run-1' })).toBe(
      'RunProgressRecorded on run-run-1',
    );
    expect(summary('PipelineCreated', 'pipeline-p-9', null)).toBe('PipelineCreated on pipeline-p-9');
  });

  it('keeps a summary to 300 characters', () => {
    const text = summary('PipelineCreated', 'pipeline-p-1', { pipelineId: 'p-1', name: 'x'.repeat(400) });
    expect(text).toHaveLength(300);
    expect(text.endsWith('…')).toBe(true);
  });
});
