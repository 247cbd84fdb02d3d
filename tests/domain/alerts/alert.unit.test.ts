import { describe, expect, it } from 'vitest';
import {
  type AlertCommand,
  type AlertEvent,
  type AlertState,
  alertDecider,
  alertStreamId,
} from '../../../src/domain/alerts/alert.js';
import { given } from '../deciderSpec.js';

const alertId = 'al-1';
const at = (minute: number) => `2026-03-01T10:${String(minute).padStart(2, '0')}:00.000Z`;

const fire = (value: unknown = 1500, ruleId: unknown = 'ar-1'): AlertCommand =>
  ({
    type: 'FireAlert',
    data: { alertId, ruleId, value, firedAt: at(0), channelIds: ['ops'] },
  }) as AlertCommand;
const acknowledge = (by = 'ana'): AlertCommand => ({
  type: 'AcknowledgeAlert',
  data: { alertId, acknowledgedBy: by, acknowledgedAt: at(5) },
});
const resolveAuto: AlertCommand = {
  type: 'ResolveAlert',
  data: { alertId, resolution: 'auto', resolvedAt: at(30) },
};
const resolveBy = (by: string): AlertCommand => ({
  type: 'ResolveAlert',
  data: { alertId, resolution: 'manual', resolvedBy: by, resolvedAt: at(30) },
});
const escalate = (minute = 15): AlertCommand => ({
  type: 'EscalateAlert',
  data: { alertId, escalatedAt: at(minute), channelIds: ['pager'] },
});
const remind = (minute: number): AlertCommand => ({
  type: 'RemindAlert',
  data: { alertId, remindedAt: at(minute), channelIds: ['ops'] },
});
const silence = (until = at(20), by = 'ana'): AlertCommand => ({
  type: 'SilenceAlert',
  data: { alertId, until, silencedBy: by, silencedAt: at(10) },
});

const fired: AlertEvent = {
  type: 'AlertFired',
  data: { alertId, ruleId: 'ar-1', value: 1500, firedAt: at(0), channelIds: ['ops'] },
};
const acknowledged: AlertEvent = {
  type: 'AlertAcknowledged',
  data: { alertId, acknowledgedBy: 'ana', acknowledgedAt: at(5) },
};
const escalated = (level: number, minute = 15): AlertEvent => ({
  type: 'AlertEscalated',
  data: { alertId, level, escalatedAt: at(minute), channelIds: ['pager'] },
});
const reminded = (minute: number): AlertEvent => ({
  type: 'AlertReminded',
  data: { alertId, level: 1, channelIds: ['ops'], remindedAt: at(minute) },
});
const silenced: AlertEvent = {
  type: 'AlertSilenced',
  data: { alertId, until: at(20), silencedBy: 'ana', silencedAt: at(10) },
};
const autoResolved: AlertEvent = {
  type: 'AlertResolved',
  data: { alertId, resolution: 'auto', resolvedBy: null, resolvedAt: at(30), channelIds: ['ops'] },
};

const fold = (history: AlertEvent[]): AlertState =>
  history.reduce(alertDecider.evolve, alertDecider.initialState);

describe('alert decider: FireAlert', () => {
  it('fires an alert for a rule at level 1', () => {
    given(alertDecider, []).when(fire()).thenEvents([fired]);
    given(alertDecider, [fired]).thenState({
      status: 'firing',
      alertId,
      ruleId: 'ar-1',
      value: 1500,
      level: 1,
      acknowledgedBy: null,
      silencedUntil: null,
      key: null,
      firedAt: at(0),
      notifiedAt: at(0),
      channelIds: ['ops'],
    });
    expect(alertStreamId(alertId)).toBe('alert-al-1');
  });

  it('rejects a missing rule and a value that is not a finite number', () => {
    given(alertDecider, []).when(fire(Number.NaN, '')).thenThrows('VALIDATION_FAILED', ['ruleId', 'value']);
    given(alertDecider, []).when(fire('high')).thenThrows('VALIDATION_FAILED', ['value']);
  });

  it('refuses an alert id that is taken', () => {
    given(alertDecider, [fired]).when(fire()).thenThrows('ALERT_ALREADY_EXISTS');
  });
});

describe('alert decider: AcknowledgeAlert', () => {
  it('acknowledges a firing alert, recording who', () => {
    given(alertDecider, [fired]).when(acknowledge()).thenEvents([acknowledged]);
    expect(fold([fired, acknowledged])).toMatchObject({ status: 'acknowledged', acknowledgedBy: 'ana' });
  });

  it('refuses a second acknowledgement, naming who acknowledged first', () => {
    given(alertDecider, [fired, acknowledged])
      .when(acknowledge('ben'))
      .thenThrows('ALERT_ALREADY_ACKNOWLEDGED');
    expect(() => alertDecider.decide(acknowledge('ben'), fold([fired, acknowledged]))).toThrow('by ana');
  });

  it('rejects an acknowledgement by nobody', () => {
    given(alertDecider, [fired]).when(acknowledge('')).thenThrows('VALIDATION_FAILED', ['acknowledgedBy']);
  });

  it('refuses an alert that does not exist or is resolved', () => {
    given(alertDecider, []).when(acknowledge()).thenThrows('ALERT_NOT_FOUND');
    given(alertDecider, [fired, autoResolved]).when(acknowledge()).thenThrows('ALERT_ALREADY_RESOLVED');
  });
});

describe('alert decider: ResolveAlert', () => {
  it('resolves automatically or by a person, firing or acknowledged', () => {
    given(alertDecider, [fired]).when(resolveAuto).thenEvents([autoResolved]);
    given(alertDecider, [fired, acknowledged])
      .when(resolveBy('ana'))
      .thenEvents([
        {
          type: 'AlertResolved',
          data: { alertId, resolution: 'manual', resolvedBy: 'ana', resolvedAt: at(30), channelIds: ['ops'] },
        },
      ]);
    expect(fold([fired, autoResolved]).status).toBe('resolved');
  });

  it('rejects a manual resolution by nobody, and an unknown resolution', () => {
    given(alertDecider, [fired]).when(resolveBy('')).thenThrows('VALIDATION_FAILED', ['resolvedBy']);
    given(alertDecider, [fired])
      .when({ type: 'ResolveAlert', data: { alertId, resolution: 'magic', resolvedAt: at(30) } } as never)
      .thenThrows('VALIDATION_FAILED', ['resolution']);
  });

  it('refuses an alert that does not exist or is resolved already', () => {
    given(alertDecider, []).when(resolveAuto).thenThrows('ALERT_NOT_FOUND');
    given(alertDecider, [fired, autoResolved]).when(resolveBy('ana')).thenThrows('ALERT_ALREADY_RESOLVED');
  });
});

describe('alert decider: EscalateAlert', () => {
  it('raises the level by one each time while nobody acknowledges', () => {
    given(alertDecider, [fired])
      .when(escalate())
      .thenEvents([escalated(2)]);
    given(alertDecider, [fired, escalated(2)])
      .when(escalate(25))
      .thenEvents([escalated(3, 25)]);
    expect(fold([fired, escalated(2), escalated(3, 25)])).toMatchObject({ status: 'firing', level: 3 });
  });

  it('refuses once acknowledged or resolved', () => {
    given(alertDecider, [fired, acknowledged]).when(escalate()).thenThrows('ALERT_ALREADY_ACKNOWLEDGED');
    given(alertDecider, [fired, autoResolved]).when(escalate()).thenThrows('ALERT_ALREADY_RESOLVED');
    given(alertDecider, []).when(escalate()).thenThrows('ALERT_NOT_FOUND');
  });

  it('refuses while silenced, saying until when, and escalates after', () => {
    given(alertDecider, [fired, silenced]).when(escalate(15)).thenThrows('ALERT_SILENCED');
    expect(() => alertDecider.decide(escalate(15), fold([fired, silenced]))).toThrow(
      `The alert is silenced until ${at(20)}`,
    );
    given(alertDecider, [fired, silenced])
      .when(escalate(20))
      .thenEvents([escalated(2, 20)]);
  });
});

describe('alert decider: SilenceAlert', () => {
  it('silences a firing or acknowledged alert until a later time', () => {
    given(alertDecider, [fired]).when(silence()).thenEvents([silenced]);
    given(alertDecider, [fired, acknowledged]).when(silence()).thenEvents([silenced]);
    expect(fold([fired, silenced])).toMatchObject({ status: 'firing', silencedUntil: at(20) });
  });

  it('rejects an end that is not a time or not after now, and a silence by nobody', () => {
    given(alertDecider, [fired])
      .when(silence('soon', ''))
      .thenThrows('VALIDATION_FAILED', ['until', 'silencedBy']);
    given(alertDecider, [fired])
      .when(silence(at(10)))
      .thenThrows('VALIDATION_FAILED', ['until']);
  });

  it('refuses an alert that does not exist or is resolved', () => {
    given(alertDecider, []).when(silence()).thenThrows('ALERT_NOT_FOUND');
    given(alertDecider, [fired, autoResolved]).when(silence()).thenThrows('ALERT_ALREADY_RESOLVED');
  });

  it('ignores events that arrive before the alert fired', () => {
    given(alertDecider, [acknowledged, silenced]).thenState({ status: 'none' });
  });
});

describe('alert decider: who is told', () => {
  it('fires an aggregate alert with the key that breached', () => {
    given(alertDecider, [])
      .when({ type: 'FireAlert', data: { alertId, ruleId: 'ar-1', value: 9, firedAt: at(0), key: 'eu' } })
      .thenEvents([
        {
          type: 'AlertFired',
          data: { alertId, ruleId: 'ar-1', value: 9, firedAt: at(0), key: 'eu', channelIds: [] },
        },
      ]);
  });

  it('tells every channel told so far when the alert resolves, and counts the repeat interval from the last notification', () => {
    given(alertDecider, [fired, escalated(2)])
      .when(resolveAuto)
      .thenEvents([
        {
          type: 'AlertResolved',
          data: {
            alertId,
            resolution: 'auto',
            resolvedBy: null,
            resolvedAt: at(30),
            channelIds: ['ops', 'pager'],
          },
        },
      ]);
    expect(fold([fired, escalated(2), reminded(40)])).toMatchObject({ notifiedAt: at(40), level: 2 });
  });

  it('reminds the current level of a firing alert, and refuses once acknowledged, silenced or resolved', () => {
    given(alertDecider, [fired])
      .when(remind(25))
      .thenEvents([reminded(25)]);
    given(alertDecider, [fired, acknowledged]).when(remind(25)).thenThrows('ALERT_ALREADY_ACKNOWLEDGED');
    given(alertDecider, [fired, silenced]).when(remind(15)).thenThrows('ALERT_SILENCED');
    given(alertDecider, [fired, silenced])
      .when(remind(25))
      .thenEvents([reminded(25)]);
    given(alertDecider, [fired, autoResolved]).when(remind(35)).thenThrows('ALERT_ALREADY_RESOLVED');
  });

  it('refuses channel ids that are not a list of ids', () => {
    given(alertDecider, [fired])
      .when({ type: 'RemindAlert', data: { alertId, remindedAt: at(25), channelIds: [''] } })
      .thenThrows('VALIDATION_FAILED', ['channelIds']);
  });

  it('reads an alert fired before events carried channels as telling nobody', () => {
    const old = {
      type: 'AlertFired',
      data: { alertId, ruleId: 'ar-1', value: 1, firedAt: at(0) },
    } as AlertEvent;
    expect(fold([old])).toMatchObject({ channelIds: [], key: null });
  });
});
