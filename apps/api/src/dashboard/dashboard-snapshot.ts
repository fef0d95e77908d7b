import { CANCEL_REFUSED_STATES, NeedsPersonCount, RETRY_REFUSED_STATES, STATE_TABLE, StateClass, TaskStats } from '@dane/core';

/** What the page needs to know about each state, so its script holds no state codes. */
interface StateLegend {
  code: number;
  name: string;
  class: StateClass;
  meaning: string;
}

const STATE_LEGEND: readonly StateLegend[] = STATE_TABLE.map((s) => ({ code: s.code, name: s.name, class: s.class, meaning: s.meaning }));

/** How many of the newest tasks needing a person ("Needs attention") each snapshot carries. */
export const ATTENTION_LIMIT = 20;

/** How many throughput samples the sparkline shows (one per snapshot). */
export const HISTORY_LENGTH = 60;

/** One raw read of the store. */
export interface StoreReading {
  /** Epoch ms of the read. */
  t: number;
  counts: TaskStats[];
  /** Tasks that need a person, by key (store.tasks.countNeedingPerson(); lifecycle/needs-person.ts). */
  needsPerson: NeedsPersonCount[];
  attention: { total: number; tasks: Record<string, unknown>[] };
}

export interface KeySummary {
  key: string;
  total: number;
  /** Count per state code (as a string key, like JSON objects have). */
  byState: Record<string, number>;
  /** Tasks of this key completed per second since the previous snapshot; null on the first. */
  rate: number | null;
}

interface ThroughputSample {
  t: number;
  rate: number;
}

/** What `/manage/events` pushes every second and `/manage/api/snapshot` answers. */
export interface DashboardSnapshot {
  at: string;
  t: number;
  states: readonly StateLegend[];
  retryRefusedStates: readonly number[];
  /** States the Cancel button is disabled in (done, cancelled already). */
  cancelRefusedStates: readonly number[];
  counts: TaskStats[];
  /**
   * Tasks that need a person — no automatic path moves them again: manual states, retries spent, 412 blocked by
   * such a task (lifecycle/needs-person.ts) — by key; `dane watch --until-done` ends when every task is done or here.
   */
  needsPerson: NeedsPersonCount[];
  keys: KeySummary[];
  total: number;
  /** Tasks completed (reached a done state) per second, all keys; null until two reads exist. */
  rate: number | null;
  history: ThroughputSample[];
  /** The newest tasks needing a person, newest first, and how many there are in all. */
  attention: { total: number; tasks: Record<string, unknown>[] };
  /** Set when the store could not be read; the counts are those of the last good read. */
  error?: string;
}

export const SNAPSHOT_CONSTANTS = { states: STATE_LEGEND, retryRefusedStates: RETRY_REFUSED_STATES, cancelRefusedStates: CANCEL_REFUSED_STATES };
