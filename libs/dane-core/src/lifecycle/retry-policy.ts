import { ConfigValue } from '@dane/protocol';

/** How often auto-retryable outcomes are retried, and how far apart (architecture principle 4). */
export interface RetryPolicy {
  maxRetries: number;
  /** Per task key overrides of `maxRetries` (SCHEDULER.MAX_RETRIES_PER_KEY), keys upper-case. */
  maxRetriesPerKey: Readonly<Record<string, number>>;
  baseMs: number;
  maxMs: number;
}

/** Reads the SCHEDULER config section. */
export function retryPolicyFromConfig(scheduler: Record<string, ConfigValue>): RetryPolicy {
  const perKey: Record<string, number> = {};
  const raw = scheduler.MAX_RETRIES_PER_KEY;
  if (raw && typeof raw === 'object' && !Array.isArray(raw)) {
    for (const [key, value] of Object.entries(raw)) perKey[key.toUpperCase()] = Number(value);
  }
  return {
    maxRetries: Number(scheduler.MAX_RETRIES),
    maxRetriesPerKey: perKey,
    baseMs: Number(scheduler.RETRY_BASE_MS),
    maxMs: Number(scheduler.RETRY_MAX_MS),
  };
}

export function retryLimit(policy: RetryPolicy, key: string): number {
  const own = policy.maxRetriesPerKey[key.toUpperCase()];
  return Number.isFinite(own) ? own : policy.maxRetries;
}

/**
 * `not_before` of a task whose retries are spent: the dispatcher never reaches it, so it waits for
 * a person (retry/forceretry/reset clear it) while keeping the state the worker reported.
 */
export const PARKED_UNTIL = new Date('9999-12-31T00:00:00.000Z');
