import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { DANE_STORE, DaneStore, DaneTask, MAX_PAGE_SIZE, TaskState } from '@dane/core';
import { DependencyService } from './dependency.service';
import { DispatchService } from './dispatch.service';
import { SCHEDULER_SETTINGS, SchedulerSettings } from './scheduler-settings';

/** Counting stuck tasks reads every task in flight, so it runs less often than the sweep. */
const STUCK_CHECK_INTERVAL_MS = 60_000;

export interface SweepReport {
  expired: number;
  released: number;
}

/**
 * The periodic safety net (architecture principle 3): leases that ran out are dispatched again,
 * dependants whose release was lost are released, due back-offs are dispatched, and tasks in flight
 * for longer than STUCK_AFTER_SECONDS are reported. Every step is a conditional write, so several
 * replicas may sweep at once.
 */
@Injectable()
export class SweeperService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(SweeperService.name);
  private timer?: NodeJS.Timeout;
  private sweeping?: Promise<SweepReport>;
  private stopped = false;
  private lastStuckCheck = 0;
  readonly counters = { sweeps: 0, expired: 0, released: 0, stuck: 0 };

  constructor(
    @Inject(DANE_STORE) private readonly store: DaneStore,
    @Inject(SCHEDULER_SETTINGS) private readonly settings: SchedulerSettings,
    private readonly dispatch: DispatchService,
    private readonly dependencies: DependencyService,
  ) {}

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
    const expired = await this.expireLeases();
    const released = (await this.dependencies.releaseAll()).length;
    if (expired > 0) await this.store.notifyRunnable();
    // Due back-offs and anything a lost wake-up left behind.
    this.dispatch.wake();
    if (Date.now() - this.lastStuckCheck >= Math.max(STUCK_CHECK_INTERVAL_MS, this.settings.sweepIntervalMs)) {
      this.lastStuckCheck = Date.now();
      await this.reportStuck();
    }
    return { expired, released };
  }

  /** Until fewer than a batch come back: every expired lease is seen, however many there are. */
  private async expireLeases(): Promise<number> {
    let total = 0;
    for (;;) {
      const expired = await this.store.tasks.expireLeases(this.settings.batchSize);
      for (const t of expired) {
        this.logger.warn(JSON.stringify({ event: 'lease_expired', task_id: t._id, document_id: t.document_id, key: t.key, attempt: t.attempt }));
      }
      total += expired.length;
      if (expired.length < this.settings.batchSize || this.stopped) break;
    }
    this.counters.expired += total;
    return total;
  }

  /**
   * Tasks in 102 whose last write (claim, progress) is older than STUCK_AFTER_SECONDS: alive by
   * heartbeat yet not finishing. Logged for a person; nothing is changed.
   */
  private async reportStuck(): Promise<number> {
    const cutoff = Date.now() - this.settings.stuckAfterSeconds * 1000;
    const stuck: DaneTask[] = [];
    for (let page = 1; ; page++) {
      const { items } = await this.store.tasks.list({ states: [TaskState.QUEUED] }, { page, size: MAX_PAGE_SIZE });
      stuck.push(...items.filter((t) => localTimestampMs(t.updated_at) < cutoff));
      if (items.length < MAX_PAGE_SIZE) break;
    }
    this.counters.stuck = stuck.length;
    if (stuck.length > 0) {
      this.logger.warn(
        JSON.stringify({
          event: 'tasks_stuck',
          count: stuck.length,
          after_seconds: this.settings.stuckAfterSeconds,
          tasks: stuck.slice(0, 20).map((t) => ({ task_id: t._id, document_id: t.document_id, key: t.key, attempt: t.attempt, since: t.updated_at })),
        }),
      );
    }
    return stuck.length;
  }
}

/** Task timestamps are server-local wall clock without zone (§1.5). */
function localTimestampMs(ts: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$/.exec(ts ?? '');
  if (!m) return Number.POSITIVE_INFINITY;
  return new Date(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]).getTime();
}
