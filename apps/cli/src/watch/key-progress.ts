import type { NeedsPersonCount, TaskCount } from '@dane/client';
import { StateClass, stateInfo } from '@dane/protocol';

/** Where the tasks of one key are, by state class (docs/protocol.md, State table), at one moment. */
export interface KeyProgress {
  key: string;
  total: number;
  byClass: Record<StateClass, number>;
  byState: Record<string, number>;
  /**
   * Tasks that need a person as the server counts them (manual states, retries spent, 412 blocked by such a
   * task): more than `byClass.needs_person` when retries are spent or dependants are blocked.
   */
  needsPerson: number;
  /** Neither done, cancelled nor needing a person: still to come. */
  remaining: number;
}

const emptyClasses = (): Record<StateClass, number> => ({ in_flight: 0, done: 0, runs_automatically: 0, needs_person: 0, waiting: 0, cancelled: 0 });

/**
 * Counts per key from the store's key × state counts; `keys` limits and orders them (a watched
 * key without tasks shows as zeros). A code outside the state table counts as to run (the
 * original's scheduler treated unknown codes as runnable; docs/protocol.md, State table).
 */
export function keyProgress(counts: readonly TaskCount[], keys: readonly string[] = [], needsPerson?: readonly NeedsPersonCount[]): KeyProgress[] {
  const byKey = new Map<string, KeyProgress>();
  const entry = (key: string) => {
    let p = byKey.get(key);
    if (!p) byKey.set(key, (p = { key, total: 0, byClass: emptyClasses(), byState: {}, needsPerson: 0, remaining: 0 }));
    return p;
  };
  for (const key of keys) entry(key.toUpperCase());
  for (const c of counts) {
    if (keys.length && !byKey.has(c.key)) continue;
    const p = entry(c.key);
    p.total += c.count;
    p.byState[String(c.state)] = (p.byState[String(c.state)] ?? 0) + c.count;
    p.byClass[stateInfo(c.state)?.class ?? 'runs_automatically'] += c.count;
  }
  // A server without the needs-person counts: the manual states alone.
  const stuck = new Map((needsPerson ?? []).map((c) => [c.key, c.count]));
  for (const p of byKey.values()) {
    p.needsPerson = needsPerson ? (stuck.get(p.key) ?? 0) : p.byClass.needs_person;
    p.remaining = Math.max(0, p.total - p.byClass.done - p.byClass.cancelled - p.needsPerson);
  }
  return keys.length ? [...byKey.values()] : [...byKey.values()].sort((a, b) => a.key.localeCompare(b.key));
}

/** Every watched task is done, cancelled or needs a person: nothing more will happen by itself. */
export function settled(progress: readonly KeyProgress[]): boolean {
  return progress.every((p) => p.remaining === 0);
}
