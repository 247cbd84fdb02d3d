import { randomInt } from 'node:crypto';

/**
 * A seed from RELIABILITY_SEED, or a fresh one. Tests print it, so a failure can be run again
 * with the same random choices: `RELIABILITY_SEED=<seed> npx vitest run <file>`.
 */
export const reliabilitySeed = (): number => Number(process.env.RELIABILITY_SEED) || randomInt(1, 2 ** 31);

/** Numbers in [0, 1) from a seed (mulberry32): the same seed, the same sequence. */
export const seededRandom = (seed: number): (() => number) => {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
};
