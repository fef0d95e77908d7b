import { Logger, OnModuleDestroy } from '@nestjs/common';
import { AmqpConnection } from '@golevelup/nestjs-rabbitmq';
import type { ConfirmChannel, ConsumeMessage } from 'amqplib';
import { randomBytes } from 'node:crypto';
import { NEVER, Observable, share, Subject, takeUntil } from 'rxjs';
import { AmqpSettings, BROKER_CHANNELS, DaneEvent, dashboardEventsQueueName, decodeEvent } from '@dane/core';

/** Events kept for a dashboard that falls behind; older ones are dropped (they are notifications, not state). */
const QUEUE_MAX_LENGTH = 10_000;
/** How long a shutdown waits for the broker to cancel the consumer. */
const STOP_TIMEOUT_MS = 2000;

/** Setup functions of golevelup's managed channels (amqp-connection-manager ChannelWrapper). */
type SetupFn = (channel: ConfirmChannel) => Promise<void>;

/**
 * The DANE-events of the whole deployment, for this replica's open dashboards: every api replica
 * feeds its dashboards from a queue of its own bound to DANE-events with `#`, so a change made
 * through another replica (or by the scheduler, the results app) shows at once.
 *
 * The queue exists only while someone watches: the first subscriber of `events$` declares it
 * (exclusive, auto-delete, not durable, named `<prefix>-dashboard-<12 hex>` so the dashboard can
 * list it) and consumes it on golevelup's `dane-events` channel; the last one leaving cancels the
 * consumer, and the broker deletes the queue. It is set up through the managed channel's
 * addSetup/removeSetup, not golevelup's createSubscriber: a createSubscriber setup stays on the
 * channel for good, so after cancelConsumer a reconnect would bring the consumer (and a new queue)
 * back, and every watch/unwatch cycle would add one more. Here a reconnect re-declares a fresh
 * queue only while someone watches. Built by DashboardModule.forRoot: with the broker's connection
 * and settings, or without both (`broker: false`), and then the stream never emits.
 */
export class DashboardEvents implements OnModuleDestroy {
  private readonly logger = new Logger('DashboardEvents');
  private readonly destroyed$ = new Subject<void>();
  readonly events$: Observable<DaneEvent>;
  /** Deliveries decoded and passed on, and those that were no DANE event (skipped). */
  readonly counters = { events: 0, invalid: 0 };
  private stopCurrent?: () => Promise<void>;
  private consuming?: string;

  constructor(
    private readonly amqp?: AmqpConnection,
    private readonly settings?: AmqpSettings,
  ) {
    this.events$ =
      amqp && settings
        ? new Observable<DaneEvent>((subscriber) => {
            const stop = this.consume((event) => subscriber.next(event));
            this.stopCurrent = stop;
            return () => {
              if (this.stopCurrent === stop) this.stopCurrent = undefined;
              void stop();
            };
          }).pipe(takeUntil(this.destroyed$), share())
        : NEVER;
  }

  /** The queue last declared for the watchers, while someone watches (for diagnostics and tests). */
  get queue(): string | undefined {
    return this.consuming;
  }

  /** Whether events come at all (DashboardModule.forRoot with `broker: true`). */
  get enabled(): boolean {
    return !!(this.amqp && this.settings);
  }

  async onModuleDestroy(): Promise<void> {
    const stop = this.stopCurrent;
    this.destroyed$.next();
    this.destroyed$.complete();
    await stop?.();
  }

  /** Declares, binds and consumes a queue on every (re)connect of the events channel, until stopped. */
  private consume(emit: (event: DaneEvent) => void): () => Promise<void> {
    const amqp = this.amqp!;
    const settings = this.settings!;
    const wrapper = amqp.managedChannels[BROKER_CHANNELS.events] ?? amqp.managedChannel;
    let current: { queue: string; consumerTag: string } | undefined;
    let stopped = false;
    const onMessage = (msg: ConsumeMessage | null) => {
      if (msg === null) {
        // The broker cancelled the consumer (its queue was deleted); a reconnect sets it up again.
        this.logger.warn(JSON.stringify({ event: 'dashboard_events_cancelled_by_broker', queue: current?.queue }));
        return;
      }
      const decoded = decodeEvent(msg.content, msg.fields.routingKey);
      if (!decoded.ok) {
        this.counters.invalid++;
        this.logger.debug(JSON.stringify({ event: 'dashboard_event_skipped', routing_key: msg.fields.routingKey, reason: decoded.reason, invalid: this.counters.invalid }));
        return;
      }
      this.counters.events++;
      emit(decoded.event);
    };
    const setup: SetupFn = async (channel) => {
      if (stopped) return;
      // A new name on each connection: the previous connection's exclusive queue may not be gone yet.
      const queue = dashboardEventsQueueName(settings, randomBytes(6).toString('hex'));
      await channel.assertQueue(queue, { exclusive: true, autoDelete: true, durable: false, arguments: { 'x-max-length': QUEUE_MAX_LENGTH } });
      await channel.bindQueue(queue, settings.eventsExchange, '#');
      const { consumerTag } = await channel.consume(queue, onMessage, { noAck: true, exclusive: true });
      current = { queue, consumerTag };
      this.consuming = queue;
      this.logger.log(JSON.stringify({ event: 'dashboard_events_subscribed', queue, exchange: settings.eventsExchange }));
    };
    const added = wrapper.addSetup(setup).catch((err: Error) => {
      this.logger.warn(JSON.stringify({ event: 'dashboard_events_subscribe_failed', exchange: settings.eventsExchange, error: err?.message }));
    });
    let stopping: Promise<void> | undefined;
    return () =>
      (stopping ??= (async () => {
        stopped = true;
        const teardown: SetupFn = async (channel) => {
          if (!current) return;
          const { queue, consumerTag } = current;
          current = undefined;
          if (this.consuming === queue) this.consuming = undefined;
          // The queue's only consumer leaving: the broker deletes the auto-delete queue.
          await channel.cancel(consumerTag);
          this.logger.log(JSON.stringify({ event: 'dashboard_events_unsubscribed', queue }));
        };
        // The setup must have finished (or failed) before it is removed, or its consumer would outlive it.
        const removed = added
          .then(() => wrapper.removeSetup(setup, teardown))
          .catch((err: Error) => {
            this.logger.warn(JSON.stringify({ event: 'dashboard_events_unsubscribe_failed', queue: current?.queue, error: err?.message }));
          });
        await withTimeout(removed, STOP_TIMEOUT_MS);
      })());
  }
}

function withTimeout(p: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([p.then(() => undefined), new Promise<void>((r) => (timer = setTimeout(r, ms)))]).finally(() => clearTimeout(timer));
}
