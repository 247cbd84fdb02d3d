import { describe, expect, it } from 'vitest';
import { compileDedupeStep } from '../../../src/processors/transform/compileDedupeStep.js';
import { DedupeWindow } from '../../../src/processors/transform/dedupeWindow.js';
import { at, failureOf, pipelineOf, runSync } from './pipelineOf.js';

describe('a dedupe step', () => {
  const dedupe = () => pipelineOf([{ kind: 'dedupe', key: 'orderId', withinMs: 1000 }]);

  it('drops a record whose key its partition saw within the window of record time', () => {
    const pipeline = dedupe();
    expect(runSync(pipeline, { orderId: 'a' }, at(10_000))).toEqual({ orderId: 'a' });
    expect(runSync(pipeline, { orderId: 'a' }, at(11_000))).toBe(null);
    expect(runSync(pipeline, { orderId: 'b' }, at(11_000))).toEqual({ orderId: 'b' });
  });

  it('passes the key again once the window since its first record has gone by', () => {
    const pipeline = dedupe();
    runSync(pipeline, { orderId: 'a' }, at(10_000));
    // A duplicate inside the window does not restart it.
    expect(runSync(pipeline, { orderId: 'a' }, at(10_900))).toBe(null);
    expect(runSync(pipeline, { orderId: 'a' }, at(11_001))).toEqual({ orderId: 'a' });
    expect(runSync(pipeline, { orderId: 'a' }, at(11_500))).toBe(null);
  });

  it('keeps one window per partition', () => {
    const pipeline = dedupe();
    runSync(pipeline, { orderId: 'a' }, at(0, 0));
    expect(runSync(pipeline, { orderId: 'a' }, at(0, 1))).toEqual({ orderId: 'a' });
  });

  it('tells a string key from a number key', () => {
    const pipeline = dedupe();
    runSync(pipeline, { orderId: 1 }, at());
    expect(runSync(pipeline, { orderId: '1' }, at())).toEqual({ orderId: '1' });
    expect(runSync(pipeline, { orderId: 1 }, at())).toBe(null);
  });

  it('takes any CEL expression as the key', () => {
    const pipeline = pipelineOf([{ kind: 'dedupe', key: 'customer + "/" + sku', withinMs: 1000 }]);
    runSync(pipeline, { customer: 'c', sku: 's', n: 1 }, at());
    expect(runSync(pipeline, { customer: 'c', sku: 's', n: 2 }, at())).toBe(null);
  });

  it('fails a record whose key cannot be computed', () => {
    expect(failureOf(dedupe(), { id: 'x' }).message).toBe(
      'steps[0] dedupe: key orderId: Unknown variable: orderId',
    );
  });

  it('forgets at most its oldest keys when a partition holds too many', () => {
    const step = compileDedupeStep(
      { kind: 'dedupe', key: 'k', withinMs: 60_000 },
      { index: 0, kind: 'dedupe' },
      2,
    );
    for (const k of ['a', 'b', 'c']) step.run({ k }, at(0));
    expect(step.run({ k: 'a' }, at(1))).toEqual({ k: 'a' });
    expect(step.run({ k: 'c' }, at(1))).toBe(null);
  });
});

describe('a dedupe window', () => {
  it('evicts keys older than the window behind the newest record time', () => {
    const window = new DedupeWindow(100, 1_000_000);
    for (let time = 0; time < 1000; time += 1) window.isDuplicate(`k${time}`, time);
    expect(window.size).toBe(101);
  });

  it('treats a late record near the first sighting as a duplicate', () => {
    const window = new DedupeWindow(100, 10);
    window.isDuplicate('a', 1000);
    expect(window.isDuplicate('a', 950)).toBe(true);
  });
});
