import { ConfigService } from '@nestjs/config';
import { ConfigValue, RetryPolicy, retryPolicyFromConfig } from '@dane/core';

/** The SCHEDULER config section, read once at start-up. */
export interface SchedulerSettings {
  /** Lease of a started task, renewed by each heartbeat (SCHEDULER.LEASE_SECONDS). */
  leaseMs: number;
  /** Lease of a dispatched task no worker has started (SCHEDULER.QUEUE_LEASE_SECONDS). */
  queueLeaseMs: number;
  /** After the broker channel (re)opens, unroutable → retried instead of 422 (SCHEDULER.UNROUTABLE_GRACE_SECONDS). */
  unroutableGraceMs: number;
  sweepIntervalMs: number;
  batchSize: number;
  /** Tasks of one key in 102 at most; 0 = no limit (SCHEDULER.MAX_IN_FLIGHT_PER_KEY). */
  maxInFlightPerKey: number;
  stuckAfterSeconds: number;
  retry: RetryPolicy;
}

export const SCHEDULER_SETTINGS = Symbol('SCHEDULER_SETTINGS');

export function schedulerSettings(config: ConfigService): SchedulerSettings {
  const section = config.get<Record<string, ConfigValue>>('SCHEDULER')!;
  return {
    leaseMs: Number(section.LEASE_SECONDS) * 1000,
    unroutableGraceMs: Math.max(0, Number(section.UNROUTABLE_GRACE_SECONDS)) * 1000,
    queueLeaseMs: Math.max(Number(section.QUEUE_LEASE_SECONDS), Number(section.LEASE_SECONDS)) * 1000,
    sweepIntervalMs: Number(section.SWEEP_INTERVAL_MS),
    batchSize: Math.max(1, Number(section.BATCH_SIZE)),
    maxInFlightPerKey: Math.max(0, Math.floor(Number(section.MAX_IN_FLIGHT_PER_KEY ?? 0)) || 0),
    stuckAfterSeconds: Number(section.STUCK_AFTER_SECONDS),
    retry: retryPolicyFromConfig(section),
  };
}
