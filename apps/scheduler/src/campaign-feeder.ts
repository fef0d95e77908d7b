import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { CampaignService } from '@dane/core/services/campaign.service';
import { SCHEDULER_SETTINGS, SchedulerSettings } from './scheduler-settings';

/** The feeder looks at its campaigns at most this often (and at the sweep interval when that is shorter). */
const MAX_FEED_INTERVAL_MS = 1_000;
/** A campaign's lease outlives this many feeder rounds, and at least this long: a killed feeder's campaigns move on after it. */
const LEASE_ROUNDS = 10;
const MIN_LEASE_MS = 5_000;

/**
 * Feeds the running campaigns (docs/protocol.md, Campaigns) from the scheduler process: every round it leases the
 * campaigns no other feeder holds (a lease row in the store: of several schedulers one feeds a campaign at a time)
 * and tops each up to its `max_in_flight`. Everything it knows is in the store, so after a restart — or a SIGKILL,
 * once the dead feeder's lease has run out — the campaign resumes where it stood.
 */
@Injectable()
export class CampaignFeeder implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(CampaignFeeder.name);
  readonly owner = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  private readonly intervalMs: number;
  readonly leaseMs: number;
  private timer?: NodeJS.Timeout;
  private running?: Promise<number>;
  private stopped = false;

  constructor(
    private readonly campaigns: CampaignService,
    @Inject(SCHEDULER_SETTINGS) settings: SchedulerSettings,
  ) {
    this.intervalMs = Math.max(50, Math.min(MAX_FEED_INTERVAL_MS, settings.sweepIntervalMs));
    this.leaseMs = Math.max(MIN_LEASE_MS, LEASE_ROUNDS * this.intervalMs);
  }

  onApplicationBootstrap(): void {
    if (!this.campaigns.supported) return;
    this.schedule(0);
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
    await this.campaigns.releaseLeases(this.owner).catch(() => undefined);
  }

  /** One round now (or joins the running one); returns how many items it fed. */
  feedNow(): Promise<number> {
    this.running ??= this.campaigns.feed(this.owner, this.leaseMs).finally(() => (this.running = undefined));
    return this.running;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.feedNow()
        .catch((err) => this.logger.warn(JSON.stringify({ event: 'campaign_feed_failed', error: (err as Error).message })))
        .finally(() => this.schedule(this.intervalMs));
    }, delayMs);
    this.timer.unref?.();
  }
}
