import { isDone, TaskStats } from '@dane/core';
import { DashboardSnapshot, HISTORY_LENGTH, KeySummary, SNAPSHOT_CONSTANTS, StoreReading } from './dashboard-snapshot';

function doneByKey(counts: readonly TaskStats[]): Map<string, number> {
  const done = new Map<string, number>();
  for (const c of counts) if (isDone(c.state)) done.set(c.key, (done.get(c.key) ?? 0) + c.count);
  return done;
}

/**
 * The next snapshot from the previous one and a fresh read: throughput is the growth of the done
 * count between the two reads. Deleted tasks can shrink it; a shrink counts as zero, not negative.
 */
export function nextSnapshot(prev: DashboardSnapshot | undefined, reading: StoreReading): DashboardSnapshot {
  const seconds = prev ? (reading.t - prev.t) / 1000 : 0;
  const before = prev ? doneByKey(prev.counts) : undefined;
  const now = doneByKey(reading.counts);
  const rateOf = (key: string): number | null => (before && seconds > 0 ? Math.max(0, (now.get(key) ?? 0) - (before.get(key) ?? 0)) / seconds : null);

  const keys = new Map<string, KeySummary>();
  for (const c of reading.counts) {
    const summary = keys.get(c.key) ?? { key: c.key, total: 0, byState: {}, rate: rateOf(c.key) };
    summary.total += c.count;
    summary.byState[String(c.state)] = (summary.byState[String(c.state)] ?? 0) + c.count;
    keys.set(c.key, summary);
  }
  const summaries = [...keys.values()].sort((a, b) => a.key.localeCompare(b.key));
  const rate = before && seconds > 0 ? summaries.reduce((sum, k) => sum + (k.rate ?? 0), 0) : null;
  const history = prev ? [...prev.history] : [];
  if (rate !== null) history.push({ t: reading.t, rate });
  return {
    at: new Date(reading.t).toISOString(),
    t: reading.t,
    ...SNAPSHOT_CONSTANTS,
    counts: reading.counts,
    needsPerson: reading.needsPerson,
    keys: summaries,
    total: summaries.reduce((sum, k) => sum + k.total, 0),
    rate,
    history: history.slice(-HISTORY_LENGTH),
    attention: reading.attention,
  };
}

/** The store could not be read: keep the last good counts, say why. */
export function failedSnapshot(prev: DashboardSnapshot | undefined, t: number, error: string): DashboardSnapshot {
  const base = prev ?? nextSnapshot(undefined, { t, counts: [], needsPerson: [], attention: { total: 0, tasks: [] } });
  return { ...base, at: new Date(t).toISOString(), t, error };
}
