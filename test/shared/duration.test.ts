import { describe, expect, it } from 'vitest';
import { formatDuration } from '../../shared/duration.js';

describe('formatDuration', () => {
  it('writes seconds under 90 s, never 0 s', () => {
    expect(formatDuration(0)).toBe('1 s');
    expect(formatDuration(0.2)).toBe('1 s');
    expect(formatDuration(7)).toBe('7 s');
    expect(formatDuration(65)).toBe('65 s');
    expect(formatDuration(89.4)).toBe('89 s');
    expect(formatDuration(89.6)).toBe('90 s');
  });

  it('writes whole minutes from 90 s to under an hour', () => {
    expect(formatDuration(90)).toBe('2 min');
    expect(formatDuration(150)).toBe('3 min');
    expect(formatDuration(3300)).toBe('55 min');
    expect(formatDuration(3569)).toBe('59 min');
  });

  it('writes hours and minutes from an hour on', () => {
    expect(formatDuration(3570)).toBe('1 h');
    expect(formatDuration(3725)).toBe('1 h 2 min');
    expect(formatDuration(5400)).toBe('1 h 30 min');
    expect(formatDuration(3 * 3600 + 5 * 60)).toBe('3 h 5 min');
    expect(formatDuration(7200)).toBe('2 h');
  });

  it('gives nothing for a value that is not a finite number, and treats a negative one as no time', () => {
    expect(formatDuration(Number.NaN)).toBe('');
    expect(formatDuration(Number.POSITIVE_INFINITY)).toBe('');
    expect(formatDuration(-3)).toBe('1 s');
  });
});
