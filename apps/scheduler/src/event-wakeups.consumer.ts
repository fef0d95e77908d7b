import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { AmqpConnection } from '@golevelup/nestjs-rabbitmq';
import type { ConfirmChannel, ConsumeMessage } from 'amqplib';
import { randomBytes } from 'node:crypto';
import { AMQP_SETTINGS, AmqpSettings, BROKER_CHANNELS, DISPATCHABLE_STATES, DaneEvent, EventPublisher, decodeEvent, schedulerWakeupQueueName } from '@dane/core';
import { within } from '@dane/core/util/within';
import { DispatchWakeups } from './dispatch-wakeups';
import { LegacyWakeupQueue } from './legacy-wakeup-queue';

/** Wake-ups older than this are dropped: a scheduler that starts runs a dispatch round anyway. */
const WAKEUP_TTL_MS = 60_000;
/** Dispatchable tasks this process announced itself, remembered this long (their broker echo wakes nobody). */
const LOCAL_MEMORY_MS = 30_000;
/** How long a shutdown waits for the broker to cancel the consumer. */
const STOP_TIMEOUT_MS = 2000;

/** Setup functions of golevelup's managed channels (amqp-connection-manager ChannelWrapper). */
type SetupFn = (channel: ConfirmChannel) => Promise<void>;

/** DANE-events that announce a dispatchable task. */
function isDispatchable(event: DaneEvent): boolean {
  return event.type === 'task' && DISPATCHABLE_STATES.includes(event.state);
}

/**
 * How the scheduler learns of new work whatever the store: DANE-events of tasks that became
 * dispatchable (task.<KEY>.201 on assignment, reset or release; 205 after a mass reset; 502/503
 * retries) wake the dispatcher. Events that arrived together wake it once. The sweeper stays the
 * safety net for an event lost in a crash or a reconnect.
 *
 * Every scheduler process has a queue of its own: exclusive, auto-delete, not durable and always
 * classic (whatever RABBITMQ.QUEUE_TYPE), named `<prefix>-scheduler-wakeups-<12 hex>` so the
 * dashboard lists every replica's, with the 60 s message TTL. So RabbitMQ never writes a wake-up to
 * disk, and every replica hears every event: wake-ups are idempotent, the claim (FOR UPDATE SKIP
 * LOCKED) decides who dispatches. Consumed without acknowledgements: a wake-up lost with its
 * connection is what the sweep and the dispatch round after a reconnect are for.
 *
 * The queue is set up through the events channel's addSetup, not golevelup's createSubscriber
 * (which re-declares one fixed name on every reconnect and acknowledges every message): each
 * connection declares a queue with a new name, because the previous connection's exclusive queue
 * may not be gone yet (the broker has not noticed a cut connection until its heartbeat times out)
 * and re-declaring it would fail with 405 RESOURCE_LOCKED, leaving the scheduler without wake-ups.
 * Once subscribed, it deletes the durable queue earlier versions shared (LegacyWakeupQueue).
 */
@Injectable()
export class EventWakeupsConsumer implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('EventWakeupsConsumer');
  readonly counters = { events: 0, local: 0, echoes: 0 };
  /** The durable queue earlier versions' replicas shared (exposed for tests). */
  readonly legacy: LegacyWakeupQueue;
  /** task id → when this process announced it dispatchable. */
  private readonly announced = new Map<string, number>();
  private current?: { queue: string; consumerTag: string };
  private stopped = false;
  private wakeScheduled = false;
  private stop?: () => Promise<void>;

  constructor(
    private readonly connection: AmqpConnection,
    @Inject(AMQP_SETTINGS) private readonly amqp: AmqpSettings,
    private readonly wakeups: DispatchWakeups,
    events: EventPublisher,
  ) {
    this.legacy = new LegacyWakeupQueue(connection, amqp);
    // Single-machine mode (or a scheduler's own changes): woken at once, in process.
    events.onPublished((event) => {
      if (!isDispatchable(event)) return;
      this.counters.local++;
      if (event.type === 'task' && event.task_id) this.remember(event.task_id);
      this.wakeups.request();
    });
  }

  /** The wake-up queue of the current connection, once subscribed (for diagnostics and tests). */
  get queue(): string | undefined {
    return this.current?.queue;
  }

  onApplicationBootstrap(): void {
    const wrapper = this.connection.managedChannels[BROKER_CHANNELS.events] ?? this.connection.managedChannel;
    const amqp = this.amqp;
    const setup: SetupFn = async (channel) => {
      if (this.stopped) return;
      // A new name on each connection: the previous connection's exclusive queue may not be gone yet.
      const queue = schedulerWakeupQueueName(amqp, randomBytes(6).toString('hex'));
      // Declared on the default channel too; here as well, so the bindings never race it on a first start.
      await channel.assertExchange(amqp.eventsExchange, 'topic', { durable: true, autoDelete: false });
      await channel.assertQueue(queue, { exclusive: true, autoDelete: true, durable: false, arguments: { 'x-queue-type': 'classic', 'x-message-ttl': WAKEUP_TTL_MS } });
      await Promise.all(DISPATCHABLE_STATES.map((state) => channel.bindQueue(queue, amqp.eventsExchange, `task.#.${state}`)));
      const { consumerTag } = await channel.consume(queue, (msg) => this.receive(msg), { noAck: true });
      this.current = { queue, consumerTag };
      this.logger.log(JSON.stringify({ event: 'wakeup_queue_subscribed', queue, exchange: amqp.eventsExchange }));
      void this.legacy.check();
    };
    const added = wrapper.addSetup(setup).catch((err: Error) => {
      // The setup stays on the channel: the next reconnect tries again; sweeps dispatch meanwhile.
      this.logger.warn(JSON.stringify({ event: 'wakeup_queue_subscribe_failed', exchange: amqp.eventsExchange, error: err?.message }));
    });
    this.stop = async () => {
      // The setup must have finished (or failed) before it is removed, or its consumer would outlive it.
      const teardown: SetupFn = async (channel) => {
        const tag = this.current?.consumerTag;
        this.current = undefined;
        // The queue's only consumer leaving: the broker deletes the auto-delete queue.
        if (tag) await channel.cancel(tag);
      };
      await within(
        added.then(() => wrapper.removeSetup(setup, teardown)),
        STOP_TIMEOUT_MS,
      ).catch(() => undefined);
    };
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    this.legacy.stop();
    await this.stop?.();
  }

  private receive(msg: ConsumeMessage | null): void {
    if (msg === null) {
      // The broker cancelled the consumer (its queue was deleted); the next reconnect sets it up again.
      this.logger.warn(JSON.stringify({ event: 'wakeup_queue_cancelled_by_broker', queue: this.current?.queue }));
      return;
    }
    if (this.stopped) return;
    this.counters.events++;
    if (this.isEcho(msg)) {
      this.counters.echoes++;
      return;
    }
    // Everything read from the socket in this turn of the event loop wakes the dispatcher once.
    if (this.wakeScheduled) return;
    this.wakeScheduled = true;
    setImmediate(() => {
      this.wakeScheduled = false;
      if (!this.stopped) this.wakeups.request();
    });
  }

  /** The broker's copy of an event this process already woke for. */
  private isEcho(msg: ConsumeMessage): boolean {
    if (this.announced.size === 0) return false;
    const decoded = decodeEvent(msg.content, msg.fields.routingKey);
    if (!decoded.ok || decoded.event.type !== 'task' || !decoded.event.task_id) return false;
    return this.announced.delete(decoded.event.task_id);
  }

  private remember(taskId: string): void {
    const now = Date.now();
    this.announced.set(taskId, now);
    // Oldest first (insertion order): forget what the broker never echoed back.
    for (const [id, at] of this.announced) {
      if (now - at < LOCAL_MEMORY_MS) break;
      this.announced.delete(id);
    }
  }
}
