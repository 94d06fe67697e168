import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, resolveLimits, transportLimitBytes } from '../../shared/limits.js';

describe('resolveLimits', () => {
  it('starts from the documented defaults', () => {
    expect(resolveLimits()).toEqual(DEFAULT_LIMITS);
    expect(DEFAULT_LIMITS).toMatchObject({ maxFrameBytes: 64 * 2 ** 20, maxPlaneSide: 8192, maxPlanePixels: 8192 * 8192, maxJsonBytes: 65536 });
    expect(Object.isFrozen(DEFAULT_LIMITS)).toBe(true);
  });

  it('applies overrides and ignores undefined ones', () => {
    expect(resolveLimits({ maxJobs: 3, maxConnections: undefined })).toMatchObject({ maxJobs: 3, maxConnections: DEFAULT_LIMITS.maxConnections });
  });

  it('refuses unknown limits and values that are not positive integers', () => {
    expect(() => resolveLimits({ maxBananas: 1 } as never)).toThrow(/Unknown limit 'maxBananas'/);
    expect(() => resolveLimits({ maxJobs: 0 })).toThrow(/positive integer for limit 'maxJobs', got 0/);
    expect(() => resolveLimits({ maxJobs: 1.5 })).toThrow(/positive integer/);
    expect(() => resolveLimits({ maxFrameBytes: 10 })).toThrow(/at least 64 bytes/);
  });
});

describe('transportLimitBytes', () => {
  it('is twice the frame limit', () => {
    expect(transportLimitBytes({ maxFrameBytes: 1000 })).toBe(2000);
  });
});
