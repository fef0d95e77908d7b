import { TaskState } from '@dane/protocol';
import { RetryPolicy, retryLimit } from './retry-policy';

/**
 * How many times a task may lose its worker (its lease runs out without a reply) before it stops
 * being dispatched again. Lease expiries draw on the same per-key budget as the auto-retried
 * outcomes (SCHEDULER.MAX_RETRIES / MAX_RETRIES_PER_KEY, the task's `retries` counter): a task that
 * kills its worker every time (out of memory, a segfault in a codec) must not loop forever.
 *
 * Only an expiry with evidence that a worker had the task counts: a worker heartbeat came during
 * this attempt (the store keeps its time; a claim clears it). A task whose lease ran out while it
 * still waited in a worker queue (a backlog longer than SCHEDULER.QUEUE_LEASE_SECONDS, or no consumer
 * at all) was not "lost by a worker", and parking it in 500 would fail whole batches that are merely
 * queued; it is dispatched again without spending the budget. (Workers that never heartbeat — Python
 * DANE workers — are therefore never parked by this rule; our SDK heartbeats when a callback starts
 * and while it runs.)
 */
export interface LeaseExpiryBudget {
  maxRetries: number;
  /** Per task key (upper-case) overrides of `maxRetries`. */
  maxRetriesPerKey: Readonly<Record<string, number>>;
}

/** Where an expired task goes while its key has retries left: runnable again, at once. */
export const LEASE_EXPIRED_STATE = TaskState.CREATED;
/** Where it goes when they are spent: an error that waits for a person (retry/forceretry/reset). */
export const WORKER_LOST_STATE = TaskState.ERROR;

export function leaseExpiryBudget(policy: Pick<RetryPolicy, 'maxRetries' | 'maxRetriesPerKey'>): LeaseExpiryBudget {
  return { maxRetries: policy.maxRetries, maxRetriesPerKey: policy.maxRetriesPerKey };
}

export function leaseExpiryLimit(budget: Pick<LeaseExpiryBudget, 'maxRetries' | 'maxRetriesPerKey'>, key: string): number {
  return retryLimit({ maxRetries: budget.maxRetries, maxRetriesPerKey: budget.maxRetriesPerKey, baseMs: 0, maxMs: 0 }, key);
}

/**
 * The decision for one expired lease, given the task's retries used so far (`retries`, before this
 * expiry), its dispatch `attempt`, and whether a worker had it (`renewed`). The SQL store makes the
 * same decision inside its UPDATE (sql/task-lease.sql.ts), the Elasticsearch store with this
 * function; the messages are spelled alike in both, and the store contract checks them.
 */
export function leaseExpiryOutcome(
  key: string,
  attempt: number,
  retries: number,
  renewed: boolean,
  budget: LeaseExpiryBudget | undefined,
): { state: number; msg: string; retries: number } {
  if (!budget || !renewed) return { state: LEASE_EXPIRED_STATE, msg: leaseExpiredMessage(attempt), retries };
  const limit = leaseExpiryLimit(budget, key);
  if (retries >= limit) return { state: WORKER_LOST_STATE, msg: workerLostMessage(attempt, limit), retries };
  return { state: LEASE_EXPIRED_STATE, msg: workerLostRetryMessage(attempt, retries + 1, limit), retries: retries + 1 };
}

/** No heartbeat came during the attempt (still queued, or a worker that never beats): not counted. */
export function leaseExpiredMessage(attempt: number): string {
  return `Lease expired (attempt ${attempt}); dispatching again`;
}

/** A worker had it and went silent; counted as retry `retry` of `limit`. */
export function workerLostRetryMessage(attempt: number, retry: number, limit: number): string {
  return `Worker lost (lease expired on attempt ${attempt}); dispatching again — retry ${retry} of ${limit}`;
}

/**
 * The retries counter is shared with 502/503/refused outcomes, so the message names the attempt
 * that was lost rather than claiming every attempt was (a task that only ever loses its worker
 * ends here at attempt limit + 1).
 */
export function workerLostMessage(attempt: number, limit: number): string {
  return `Worker lost (lease expired on attempt ${attempt}) — retries spent (${limit} of ${limit})`;
}
