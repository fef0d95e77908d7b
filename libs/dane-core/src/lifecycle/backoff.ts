/**
 * Exponential back-off with full jitter: a delay drawn uniformly from [0, min(max, base · 2^(n-1))]
 * for the n-th retry (n ≥ 1). Jitter spreads retries of many tasks that failed together (a remote
 * service going down) instead of sending them back in one wave.
 */
export function retryDelay(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const n = Math.max(1, Math.floor(attempt));
  // 2^(n-1) overflows to Infinity for large n; Math.min keeps the ceiling at maxMs.
  const ceiling = Math.min(maxMs, baseMs * 2 ** (n - 1));
  return Math.floor(random() * Math.max(0, ceiling));
}
