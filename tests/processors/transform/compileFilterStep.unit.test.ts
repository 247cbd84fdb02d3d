import { describe, expect, it } from 'vitest';
import { failureOf, pipelineOf, runSync } from './pipelineOf.js';

describe('a filter step', () => {
  const filter = (expr: string) => pipelineOf([{ kind: 'filter', expr }]);

  it('keeps a record for which the condition is true, as it is', () => {
    const record = { amount: 20, country: 'DE' };
    expect(runSync(filter('amount > 10 && country == "DE"'), record)).toBe(record);
  });

  it('drops a record for which the condition is false', () => {
    expect(runSync(filter('amount > 10 && country == "DE"'), { amount: 20, country: 'FR' })).toBe(null);
    expect(runSync(filter('amount > 10'), { amount: 10 })).toBe(null);
  });

  it('reads nested fields, lists and has()', () => {
    const pipeline = filter('has(customer.vip) && customer.vip && "gold" in tags');
    expect(runSync(pipeline, { customer: { vip: true }, tags: ['gold'] })).not.toBe(null);
    expect(runSync(pipeline, { customer: {}, tags: ['gold'] })).toBe(null);
  });

  it('fails a record for which the condition errs, rather than count it filtered', () => {
    const failure = failureOf(filter('amount > 10'), { total: 3 });
    expect(failure.message).toBe('steps[0] filter: amount > 10: Unknown variable: amount');
    expect(failure).toMatchObject({ stepIndex: 0, stepKind: 'filter', retryable: false, field: undefined });
    expect(failureOf(filter('amount > 10'), { amount: 'x' }).message).toBe(
      'steps[0] filter: amount > 10: no such overload: dyn<string> > int',
    );
  });

  it('fails a record for which the condition is not a boolean', () => {
    expect(failureOf(filter('flag'), { flag: 'yes' }).message).toBe(
      'steps[0] filter: flag gave "yes", not true or false',
    );
  });
});
