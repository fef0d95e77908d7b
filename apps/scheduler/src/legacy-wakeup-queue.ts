import { Logger } from '@nestjs/common';
import type { AmqpConnection } from '@golevelup/nestjs-rabbitmq';
import type { Channel, ChannelModel } from 'amqplib';
import { AmqpSettings, legacySchedulerWakeupQueueName } from '@dane/core';
import { within } from '@dane/core/util/within';

/** How often a legacy queue kept for its consumers is looked at again. */
const RECHECK_MS = 60_000;
/** How long one broker call may take before the look is given up (and tried again later). */
const CALL_TIMEOUT_MS = 3000;

/** What one look at the legacy queue found (and did). */
export type LegacyWakeupQueueOutcome = { outcome: 'absent' } | { outcome: 'deleted'; messages: number } | { outcome: 'kept'; consumers: number; messages: number };

/**
 * The durable `<prefix>-scheduler-wakeups` queue that the scheduler replicas of earlier versions
 * shared. Still bound to DANE-events, it would keep receiving a persistent copy of every wake-up
 * event (dropped after its 60 s TTL), read by no one. A scheduler deletes it once no one consumes
 * it: while a replica of the earlier version still does (a rolling upgrade), it is kept and looked
 * at again every RECHECK_MS until it is gone.
 *
 * The consumers are counted first and the queue deleted only when there are none. Not with
 * `queue.delete if-unused`: quorum queues (RABBITMQ.QUEUE_TYPE quorum) refuse that flag with
 * 540 NOT_IMPLEMENTED, which closes the whole connection. An earlier-version replica subscribing in
 * the instant between the count and the delete loses its queue; its sweeps keep it dispatching.
 * Each look runs on a channel of its own (a 404 closes the channel it happens on).
 */
export class LegacyWakeupQueue {
  private readonly logger = new Logger('EventWakeupsConsumer');
  readonly queue: string;
  private gone = false;
  private stopped = false;
  private looking?: Promise<LegacyWakeupQueueOutcome | undefined>;
  private timer?: NodeJS.Timeout;
  /** Consumers reported in the last `kept` line (logged again only when that changes). */
  private reportedConsumers?: number;

  constructor(
    private readonly amqp: AmqpConnection,
    settings: AmqpSettings,
    private readonly recheckMs = RECHECK_MS,
  ) {
    this.queue = legacySchedulerWakeupQueueName(settings);
  }

  /**
   * Looks now (one look at a time) unless the queue is known gone: deletes it when unused.
   * Undefined when the broker could not be asked; the next connect (or recheck) looks again.
   */
  check(): Promise<LegacyWakeupQueueOutcome | undefined> {
    if (this.gone || this.stopped) return Promise.resolve(undefined);
    return (this.looking ??= this.look().finally(() => (this.looking = undefined)));
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private async look(): Promise<LegacyWakeupQueueOutcome | undefined> {
    clearTimeout(this.timer);
    let outcome: LegacyWakeupQueueOutcome | undefined;
    try {
      outcome = await this.lookOnce();
    } catch (err) {
      this.logger.debug?.(JSON.stringify({ event: 'legacy_wakeup_queue_check_failed', queue: this.queue, error: (err as Error)?.message }));
    }
    if (outcome?.outcome === 'absent' || outcome?.outcome === 'deleted') this.gone = true;
    if (outcome?.outcome === 'deleted') {
      this.logger.log(JSON.stringify({ event: 'legacy_wakeup_queue_deleted', queue: this.queue, messages_dropped: outcome.messages }));
    }
    if (outcome?.outcome === 'kept' && outcome.consumers !== this.reportedConsumers) {
      this.reportedConsumers = outcome.consumers;
      this.logger.log(
        JSON.stringify({
          event: 'legacy_wakeup_queue_kept',
          queue: this.queue,
          reason: 'in use: a scheduler of an earlier version still consumes it',
          consumers: outcome.consumers,
          messages: outcome.messages,
          recheck_in_ms: this.recheckMs,
        }),
      );
    }
    if (!this.gone && !this.stopped) {
      this.timer = setTimeout(() => void this.check(), this.recheckMs);
      this.timer.unref();
    }
    return outcome;
  }

  private async lookOnce(): Promise<LegacyWakeupQueueOutcome | undefined> {
    // amqp-connection-manager hands out amqplib's ChannelModel (typed there as the older Connection).
    const model = this.amqp.managedConnection.connection as unknown as ChannelModel | undefined;
    if (!this.amqp.connected || !model) return undefined;
    const ch: Channel = await within(model.createChannel(), CALL_TIMEOUT_MS);
    ch.on('error', () => undefined);
    try {
      let found: { messageCount: number; consumerCount: number };
      try {
        found = await within(ch.checkQueue(this.queue), CALL_TIMEOUT_MS);
      } catch (err) {
        if ((err as { code?: number }).code === 404) return { outcome: 'absent' };
        throw err;
      }
      if (found.consumerCount > 0) return { outcome: 'kept', consumers: found.consumerCount, messages: found.messageCount };
      const deleted = await within(ch.deleteQueue(this.queue), CALL_TIMEOUT_MS);
      return { outcome: 'deleted', messages: deleted.messageCount };
    } finally {
      await ch.close().catch(() => undefined);
    }
  }
}
