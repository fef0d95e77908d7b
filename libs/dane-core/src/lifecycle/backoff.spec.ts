import { retryDelay } from './backoff';

describe('retryDelay', () => {
  it('doubles the ceiling with every retry', () => {
    const top = () => 0.999999;
    expect(retryDelay(1, 1000, 60_000, top)).toBe(999);
    expect(retryDelay(2, 1000, 60_000, top)).toBe(1999);
    expect(retryDelay(3, 1000, 60_000, top)).toBe(3999);
  });

  it('never exceeds the maximum, however many retries', () => {
    expect(retryDelay(10, 1000, 5000, () => 0.999999)).toBeLessThan(5000);
    expect(retryDelay(5000, 1000, 5000, () => 0.999999)).toBeLessThan(5000);
  });

  it('spreads delays over the whole range (full jitter)', () => {
    expect(retryDelay(3, 1000, 60_000, () => 0)).toBe(0);
    expect(retryDelay(3, 1000, 60_000, () => 0.5)).toBe(2000);
    const seen = new Set(Array.from({ length: 200 }, () => Math.floor(retryDelay(4, 1000, 60_000) / 1000)));
    expect(seen.size).toBeGreaterThan(4);
    for (const s of seen) expect(s).toBeLessThan(8);
  });

  it('treats a retry number below one as the first retry', () => {
    expect(retryDelay(0, 1000, 60_000, () => 0.5)).toBe(500);
  });
});
