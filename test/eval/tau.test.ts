// The τ eval's interval: Wilson's score interval, checked against values worked by hand from
// its formula (Wilson 1927) and against the limits any interval must respect.
import { describe, expect, it } from 'vitest';
import { wilson } from '../../eval/tau.js';

describe('wilson', () => {
  it('gives the 95 % score interval of an agreement count', () => {
    // 18 of 25: centre (0.72 + 1.96²/50) / (1 + 1.96²/25) = 0.6907, half-width 0.1665.
    expect(wilson(18, 25)).toBe('52 %–86 %');
    // 12 of 25: centre 0.4834, half-width 0.1832.
    expect(wilson(12, 25)).toBe('30 %–67 %');
  });
  it('stays inside 0–100 % at the extremes', () => {
    expect(wilson(0, 10)).toBe('0 %–28 %');
    expect(wilson(10, 10)).toBe('72 %–100 %');
  });
});
