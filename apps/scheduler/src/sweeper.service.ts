import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { DANE_STORE, DaneStore, LeaseExpiryBudget, StuckReason, StuckTask, WORKER_LOST_STATE, leaseExpiryBudget } from '@dane/core';
import { FlowMetrics } from '@dane/core/metrics';
import { DependencyService } from './dependency.service';
import { DispatchService } from './dispatch.service';
import { SCHEDULER_SETTINGS, SchedulerSettings } from './scheduler-settings';

/** The stuck-task report is for people: once a minute is often enough (and its scans are index-backed). */
const STUCK_CHECK_INTERVAL_MS = 60_000;
/** Tasks listed per reason in a report line (the count says how many more there are, up to the cap). */
const STUCK_SAMPLE = 20;
/** Tasks counted per reason; a report at the cap says "at least". */
const STUCK_COUNT_CAP = 1000;

/** What an operator should look at for each reason (StuckReason in the store port). */
const STUCK_HINTS: Record<StuckReason, string> = {
  lease_not_swept: 'in 102 with a lease that ran out and was not swept: is a scheduler running, and are its sweeps failing?',
  not_dispatched: 'runnable and due but not claimed: is a scheduler running, and does it have a broker channel?',
  release_missed: 'in 412 with every dependency in 200: the dependency release is not running',
};

export interface SweepReport {
  expired: number;
  /** Of those, tasks whose retries were spent: now 500, waiting for a person. */
  workerLost: number;
  released: number;
}

export type StuckCounts = Record<StuckReason, number>;

/**
 * The periodic safety net (architecture principles 3–5): leases that ran out are dispatched again
 * — or, once the key's retries are spent on lost workers, parked in 500 for a person —, dependants
 * whose release was lost are released, due back-offs are dispatched, and tasks the system failed to
 * move for longer than STUCK_AFTER_SECONDS are reported (StuckReason). Every write is a
 * conditional one, so several replicas may sweep at once.
 */
@Injectable()
export class SweeperService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(SweeperService.name);
  private timer?: NodeJS.Timeout;
  private sweeping?: Promise<SweepReport>;
  private stopped = false;
  private lastStuckCheck = 0;
  readonly counters = { sweeps: 0, expired: 0, workerLost: 0, released: 0, stuck: 0 };
  private readonly budget: LeaseExpiryBudget;

  constructor(
    @Inject(DANE_STORE) private readonly store: DaneStore,
    @Inject(SCHEDULER_SETTINGS) private readonly settings: SchedulerSettings,
    private readonly dispatch: DispatchService,
    private readonly dependencies: DependencyService,
    private readonly flow: FlowMetrics,
  ) {
    this.budget = leaseExpiryBudget(settings.retry);
  }

  onApplicationBootstrap(): void {
    this.scheduleNext(0);
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.sweeping;
  }

  /** One sweep now (or joins the running one). */
  sweep(): Promise<SweepReport> {
    this.sweeping ??= this.run().finally(() => (this.sweeping = undefined));
    return this.sweeping;
  }

  private scheduleNext(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.sweep()
        .catch((err) => this.logger.warn(JSON.stringify({ event: 'sweep_failed', error: err.message })))
        .finally(() => this.scheduleNext(this.settings.sweepIntervalMs));
    }, delayMs);
  }

  private async run(): Promise<SweepReport> {
    this.counters.sweeps++;
    this.flow.sweeper('sweeps');
    const { expired, workerLost } = await this.expireLeases();
    const released = (await this.dependencies.releaseAll()).length;
    this.counters.released += released;
    this.flow.sweeper('released', released);
    // Expired leases and releases, due back-offs, and anything a lost wake-up event left behind
    // (other replicas hear of what this sweep made runnable through its events).
    this.dispatch.wake();
    if (Date.now() - this.lastStuckCheck >= Math.max(STUCK_CHECK_INTERVAL_MS, this.settings.sweepIntervalMs)) {
      this.lastStuckCheck = Date.now();
      await this.reportStuck();
    }
    return { expired, workerLost, released };
  }

  /**
   * Until fewer than a batch come back: every expired lease is seen, however many there are. Each
   * batch is one conditional write that also decides, per task, whether the key's retries are spent.
   */
  private async expireLeases(): Promise<{ expired: number; workerLost: number }> {
    let total = 0;
    let workerLost = 0;
    for (;;) {
      const expired = await this.store.tasks.expireLeases(this.settings.batchSize, this.budget);
      for (const t of expired) {
        const fields = { task_id: t._id, document_id: t.document_id, key: t.key, attempt: t.attempt, retries: t.retries };
        if (t.state === WORKER_LOST_STATE) {
          workerLost++;
          this.logger.warn(JSON.stringify({ event: 'lease_expired_retries_spent', ...fields, state: t.state, msg: t.msg }));
          // Waits for a person now: its dependants say what blocks them.
          await this.dependencies.markBlocked(t);
        } else {
          this.logger.warn(JSON.stringify({ event: 'lease_expired', ...fields }));
        }
      }
      total += expired.length;
      if (expired.length < this.settings.batchSize || this.stopped) break;
    }
    this.counters.expired += total;
    this.counters.workerLost += workerLost;
    this.flow.sweeper('expired', total);
    this.flow.sweeper('workerLost', workerLost);
    return { expired: total, workerLost };
  }

  /**
   * Logs one structured line per reason with stuck tasks (see StuckReason in the store port: the
   * system failed to move them for longer than STUCK_AFTER_SECONDS; a task whose worker keeps
   * heartbeating is never stuck, however long it runs). Nothing is changed. Returns the counts
   * (capped at STUCK_COUNT_CAP per reason).
   */
  async reportStuck(): Promise<StuckCounts> {
    const afterSeconds = this.settings.stuckAfterSeconds;
    const stuck = await this.store.tasks.findStuck(afterSeconds * 1000, STUCK_COUNT_CAP);
    const byReason: Record<StuckReason, StuckTask[]> = { lease_not_swept: [], not_dispatched: [], release_missed: [] };
    for (const s of stuck) byReason[s.reason].push(s);
    const counts = Object.fromEntries(Object.entries(byReason).map(([r, list]) => [r, list.length])) as StuckCounts;
    this.counters.stuck = stuck.length;
    this.flow.stuck(stuck.length);
    for (const [reason, list] of Object.entries(byReason) as Array<[StuckReason, StuckTask[]]>) {
      if (list.length === 0) continue;
      this.logger.warn(
        JSON.stringify({
          event: 'tasks_stuck',
          reason,
          count: list.length,
          at_least: list.length >= STUCK_COUNT_CAP,
          after_seconds: afterSeconds,
          hint: STUCK_HINTS[reason],
          oldest_since: new Date(Math.min(...list.map((s) => s.since.getTime()))).toISOString(),
          tasks: list.slice(0, STUCK_SAMPLE).map(({ task: t, since }) => ({
            task_id: t._id,
            document_id: t.document_id,
            key: t.key,
            state: t.state,
            attempt: t.attempt,
            since: since.toISOString(),
          })),
        }),
      );
    }
    return counts;
  }
}
