import { readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { readProcStats } from './proc-stats';

/**
 * Where the machine's CPU went during one phase of the bench: the named processes (server, worker),
 * the broker (every `beam.smp`), PostgreSQL (every process named `postgres`: the postmaster, its
 * backends and helpers), the bench itself, and the machine as a whole (/proc/stat). Linux only; on
 * another system every figure is null and the bench prints n/a.
 */
export interface CpuBudget {
  seconds: number;
  /** Busy CPU seconds of the whole machine (all cores; idle and I/O wait excluded). */
  machineBusySeconds: number;
  /** machineBusySeconds / (seconds × cores): 1 means every core was busy for the whole phase. */
  machineBusyFraction: number;
  /** CPU seconds by group: the named processes, rabbitmq, postgresql, bench, other (the rest of the machine). */
  groups: Record<string, number>;
}

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

interface Snapshot {
  at: number;
  machineBusy: number;
  named: Record<string, number>;
  byComm: Record<string, Map<number, number>>;
  self: number;
}

const COMM_GROUPS: Record<string, string> = { 'beam.smp': 'rabbitmq', postgres: 'postgresql' };

function machineBusyTicks(): number {
  // cpu  user nice system idle iowait irq softirq steal …: idle and iowait are not busy.
  const [user, nice, system, , , irq, softirq, steal = 0] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  return user + nice + system + irq + softirq + steal;
}

function snapshot(named: Record<string, number | number[]>): Snapshot | null {
  try {
    const byComm: Record<string, Map<number, number>> = {};
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      let comm: string;
      try {
        comm = readFileSync(`/proc/${entry}/comm`, 'utf8').trim();
      } catch {
        continue; // the process ended meanwhile
      }
      const group = COMM_GROUPS[comm];
      if (!group) continue;
      const s = readProcStats(Number(entry));
      if (s) (byComm[group] ??= new Map()).set(Number(entry), s.cpuSeconds);
    }
    const namedCpu: Record<string, number> = {};
    for (const [name, pids] of Object.entries(named)) namedCpu[name] = [pids].flat().reduce((sum, pid) => sum + (readProcStats(pid)?.cpuSeconds ?? NaN), 0);
    const u = process.cpuUsage();
    return { at: performance.now(), machineBusy: machineBusyTicks() / TICKS_PER_SECOND, named: namedCpu, byComm, self: (u.user + u.system) / 1e6 };
  } catch {
    return null;
  }
}

/** Starts measuring; `stop()` returns the budget of the time in between. */
export function startCpuBudget(named: Record<string, number | number[]> = {}): { stop(): CpuBudget | null } {
  const before = snapshot(named);
  return {
    stop() {
      const after = snapshot(named);
      if (!before || !after) return null;
      const seconds = (after.at - before.at) / 1000;
      const groups: Record<string, number> = {};
      for (const name of Object.keys(named)) groups[name] = after.named[name] - before.named[name];
      for (const group of Object.values(COMM_GROUPS)) {
        // Processes that existed at both readings count their difference; new ones all they used.
        let sum = 0;
        for (const [pid, cpu] of after.byComm[group] ?? new Map<number, number>()) sum += cpu - (before.byComm[group]?.get(pid) ?? 0);
        groups[group] = sum;
      }
      groups.bench = after.self - before.self;
      const machineBusySeconds = after.machineBusy - before.machineBusy;
      const accounted = Object.values(groups).reduce((a, b) => a + (Number.isFinite(b) ? b : 0), 0);
      groups.other = Math.max(0, machineBusySeconds - accounted);
      return { seconds, machineBusySeconds, machineBusyFraction: machineBusySeconds / (seconds * cpus().length), groups };
    },
  };
}

/** The budget per 1000 tasks (CPU seconds), for the table. */
export function budgetPer1000(b: CpuBudget | null, tasks: number): Record<string, number> | null {
  if (!b) return null;
  const out: Record<string, number> = { machine: (b.machineBusySeconds * 1000) / tasks };
  for (const [k, v] of Object.entries(b.groups)) out[k] = (v * 1000) / tasks;
  return out;
}
