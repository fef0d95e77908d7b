import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/** The few task fields the hooks read (a DaneTask or a ClaimedTask's task). */
export interface MeteredTask {
  _id: string;
  key: string;
  attempt: number;
  /** `YYYY-MM-DDTHH:MM:SS` server-local (docs/protocol.md, Timestamps); the fallback start of a task another replica claimed. */
  updated_at?: string;
}

/** Claim times kept for the duration histogram; a task whose reply never comes is forgotten oldest-first. */
const MAX_TRACKED = 50_000;

/** Seconds: a claim → confirm round trip is milliseconds; tasks run from a second to hours. */
const DISPATCH_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const DURATION_BUCKETS = [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200, 21600, 86400];

/**
 * Prometheus metrics of the task flow (prom-client, one registry per process, served at `/metrics`).
 * A module whose services count imports TaskMetricsModule and injects it (one line per hook).
 *
 *   dane_dispatch_latency_seconds            claim → publisher confirm
 *   dane_task_duration_seconds{key,state}    claim → outcome reply of each attempt
 *   dane_task_retries_total{key}             automatic retries scheduled
 *   dane_replies_rejected_total{reason}      replies acknowledged without effect (hooked callers)
 */
@Injectable()
export class TaskMetrics {
  readonly registry = new Registry();
  /** Claim time per `id#attempt`; `done` counts which of dispatched()/finished() came (a reply may beat its confirm). */
  private readonly claims = new Map<string, { at: number; done: number }>();
  private readonly dispatchLatency: Histogram;
  private readonly taskDuration: Histogram<'key' | 'state'>;
  private readonly retries: Counter<'key'>;
  private readonly rejected: Counter<'reason'>;

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'dane_' });
    this.dispatchLatency = new Histogram({
      name: 'dane_dispatch_latency_seconds',
      help: 'Time from claiming a task in the store to the broker confirming its message',
      buckets: DISPATCH_BUCKETS,
      registers: [this.registry],
    });
    this.taskDuration = new Histogram({
      name: 'dane_task_duration_seconds',
      help: 'Time from claiming a task to the outcome reply of that attempt, by task key and the state it ended in',
      labelNames: ['key', 'state'],
      buckets: DURATION_BUCKETS,
      registers: [this.registry],
    });
    this.retries = new Counter({ name: 'dane_task_retries_total', help: 'Automatic retries scheduled, by task key', labelNames: ['key'], registers: [this.registry] });
    this.rejected = new Counter({
      name: 'dane_replies_rejected_total',
      help: 'Worker replies acknowledged without effect (malformed, unknown task, stale), by reason',
      labelNames: ['reason'],
      registers: [this.registry],
    });
  }

  /** A claim → confirm time in milliseconds. */
  observeDispatch(ms: number): void {
    if (Number.isFinite(ms) && ms >= 0) this.dispatchLatency.observe(ms / 1000);
  }

  /** A task's time from claim to its final reply, in milliseconds. */
  observeTaskDuration(key: string, state: number | string, ms: number): void {
    if (Number.isFinite(ms) && ms >= 0) this.taskDuration.observe({ key, state: String(state) }, ms / 1000);
  }

  countRetry(key: string): void {
    this.retries.inc({ key });
  }

  countRejectedReply(reason: string): void {
    this.rejected.inc({ reason });
  }

  /** Dispatch hook, right after the claim: remembers when each task of the batch was claimed. */
  claimed(batch: ReadonlyArray<{ task: MeteredTask }>): void {
    const now = Date.now();
    for (const { task } of batch) this.claims.set(claimKey(task), { at: now, done: 0 });
    // Map keeps insertion order: the oldest claims go first.
    if (this.claims.size > MAX_TRACKED) {
      for (const k of this.claims.keys()) {
        this.claims.delete(k);
        if (this.claims.size <= MAX_TRACKED) break;
      }
    }
  }

  /** Dispatch hook, for a confirmed message: observes claim → confirm. */
  dispatched(task: MeteredTask): void {
    const k = claimKey(task);
    const claim = this.claims.get(k);
    if (!claim) return;
    this.observeDispatch(Date.now() - claim.at);
    this.settle(k, claim);
  }

  /**
   * Reply hook, once an outcome is stored: `task` as it was before the reply (its attempt), `state`
   * the new state, `effect` the decision's (a `retry_scheduled` counts a retry). A task claimed by
   * another replica is timed from its updated_at (second resolution).
   */
  finished(task: MeteredTask, state: number, effect?: string): void {
    const k = claimKey(task);
    const claim = this.claims.get(k);
    const start = claim?.at ?? parseLocalTimestamp(task.updated_at);
    if (claim) this.settle(k, claim);
    if (start !== undefined) this.observeTaskDuration(task.key, state, Math.max(0, Date.now() - start));
    if (effect === 'retry_scheduled') this.countRetry(task.key);
  }

  /** Forgets a claim once both its confirm and its outcome were seen. */
  private settle(k: string, claim: { done: number }): void {
    if (++claim.done >= 2) this.claims.delete(k);
  }

  /** The exposition text (`text/plain; version=0.0.4`). */
  async exposition(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}

function claimKey(task: MeteredTask): string {
  return `${task._id}#${task.attempt}`;
}

function parseLocalTimestamp(value?: string): number | undefined {
  if (!value) return undefined;
  // Without a zone, ECMAScript reads a date-time as local time: the server-local clock (docs/protocol.md, Timestamps).
  const t = new Date(value).getTime();
  return Number.isFinite(t) ? t : undefined;
}
