/** Seconds of history the completion rate is measured over: smooth, yet quick to follow changes. */
const RATE_WINDOW_SECONDS = 60;

interface Sample {
  t: number;
  done: number;
}

/** Completions per second of each key over a sliding window, and the ETA that follows from it. */
export class RateTracker {
  private readonly samples = new Map<string, Sample[]>();

  /** Records the done count of `key` at time `t` (ms). */
  add(key: string, t: number, done: number): void {
    const list = this.samples.get(key) ?? [];
    list.push({ t, done });
    while (list.length > 2 && t - list[0].t > RATE_WINDOW_SECONDS * 1000) list.shift();
    this.samples.set(key, list);
  }

  /** null until two samples exist. Deletions can lower the count: never below zero. */
  rate(key: string): number | null {
    const list = this.samples.get(key) ?? [];
    if (list.length < 2) return null;
    const first = list[0];
    const last = list[list.length - 1];
    const seconds = (last.t - first.t) / 1000;
    return seconds > 0 ? Math.max(0, last.done - first.done) / seconds : null;
  }

  /** Seconds until `remaining` more are done at the current rate; null when unknown or stalled. */
  eta(key: string, remaining: number): number | null {
    if (remaining === 0) return 0;
    const rate = this.rate(key);
    return rate ? remaining / rate : null;
  }
}
