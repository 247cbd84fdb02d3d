import { describe, expect, it } from 'vitest';
import { alertNotification, testNotification } from '../../../src/processors/alerts/alertNotification.js';
import { emailNotification } from '../../../src/processors/alerts/emailNotification.js';

const facts = (type: string, data: Record<string, unknown>) => ({
  deliveryId: 'd-1',
  event: { type, data: { alertId: 'al-1', ...data } },
  alert: { ruleId: 'ar-1', status: 'firing', level: 2, value: 1500 },
  rule: { name: 'Orders lag', pipelineId: 'p-orders', severity: 'warning' },
  recordedAt: new Date('2026-03-01T10:00:00.000Z'),
});

describe('notification messages', () => {
  it('tells a reminder that the alert is still firing, at the instant the event gives', () => {
    expect(alertNotification(facts('AlertReminded', { remindedAt: '2026-03-01T09:30:00.000Z' }))).toEqual({
      deliveryId: 'd-1',
      event: 'AlertReminded',
      alertId: 'al-1',
      ruleId: 'ar-1',
      ruleName: 'Orders lag',
      pipelineId: 'p-orders',
      severity: 'warning',
      status: 'firing',
      level: 2,
      value: 1500,
      reason: "the rule's condition holds at 1500",
      at: '2026-03-01T09:30:00.000Z',
      summary:
        "[WARNING] Orders lag on pipeline p-orders is still firing (value 1500), level 2: the rule's condition holds at 1500",
    });
  });

  it('says who resolved an alert by hand, and takes a reason the event carries over its own', () => {
    const manual = alertNotification(
      facts('AlertResolved', {
        resolution: 'manual',
        resolvedBy: 'u-7',
        resolvedAt: '2026-03-01T09:40:00.000Z',
      }),
    );
    expect(manual.reason).toBe('resolved by u-7');
    const given = alertNotification(
      facts('AlertEscalated', { reason: 'nobody acknowledged for 15 minutes' }),
    );
    expect(given.reason).toBe('nobody acknowledged for 15 minutes');
    expect(given.at).toBe('2026-03-01T10:00:00.000Z');
  });

  it('names the rule by its id when the rule is unknown, rather than inventing a name', () => {
    const unknown = alertNotification({ ...facts('AlertFired', {}), rule: null });
    expect(unknown).toMatchObject({ ruleName: null, pipelineId: null, severity: null });
    expect(unknown.summary).toBe("rule ar-1 fired (value 1500), level 2: the rule's condition holds at 1500");
  });

  it('writes an e-mail per address with the fields a reader needs and no link', () => {
    const mail = emailNotification('ops@example.com', testNotification('d-9', 'Ops', new Date(0)));
    expect(mail).toEqual({
      to: 'ops@example.com',
      subject: '[Tributary] Test notification to channel Ops: it works',
      text: [
        'Test notification to channel Ops: it works',
        '',
        'Reason: a test of the channel',
        'At: 1970-01-01T00:00:00.000Z',
        'Delivery: d-9',
      ].join('\n'),
    });
  });
});
