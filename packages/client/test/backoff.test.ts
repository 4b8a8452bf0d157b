import { describe, expect, it } from 'vitest';
import { backoffDelayMs } from '../src/backoff.ts';

describe('backoffDelayMs', () => {
  const options = (random: number) => ({
    initialDelayMs: 500,
    maxDelayMs: 30_000,
    random: () => random,
  });

  it('doubles from the initial delay up to the cap', () => {
    const ceilings = [0, 1, 2, 3, 4, 5, 6, 7, 20].map((n) => backoffDelayMs(n, options(0.999999)));
    expect(ceilings).toEqual([500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
  });

  it('keeps at least half of each delay whatever the random draw', () => {
    expect(backoffDelayMs(0, options(0))).toBe(250);
    expect(backoffDelayMs(3, options(0))).toBe(2000);
    expect(backoffDelayMs(3, options(0.5))).toBe(3000);
  });

  it('never exceeds the cap, even for huge attempt numbers', () => {
    expect(backoffDelayMs(10_000, options(0.999999))).toBe(30_000);
  });
});
