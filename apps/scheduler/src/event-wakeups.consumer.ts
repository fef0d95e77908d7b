import { Inject, Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { AmqpConnection } from '@golevelup/nestjs-rabbitmq';
import type { ConsumeMessage } from 'amqplib';
import {
  AMQP_SETTINGS,
  AmqpSettings,
  BROKER_CHANNELS,
  BatchingSubscriber,
  DISPATCHABLE_STATES,
  DaneEvent,
  EVENT_PREFETCH,
  EventPublisher,
  decodeEvent,
  serverQueueArguments,
} from '@dane/core';
import { DispatchWakeups } from './dispatch-wakeups';

/** Wake-ups older than this are dropped: a scheduler that starts runs a dispatch round anyway. */
const WAKEUP_TTL_MS = 60_000;
/** Dispatchable tasks this process announced itself, remembered this long (their broker echo wakes nobody). */
const LOCAL_MEMORY_MS = 30_000;

/** The schedulers' queue of DANE-events that announce dispatchable tasks (one queue shared by the replicas). */
function isDispatchable(event: DaneEvent): boolean {
  return event.type === 'task' && DISPATCHABLE_STATES.includes(event.state);
}

export function wakeupQueueName(s: AmqpSettings): string {
  return s.responseQueue.replace(/-response-queue$/, '') + '-scheduler-wakeups';
}

/**
 * How the scheduler learns of new work whatever the store: DANE-events of tasks that became
 * dispatchable (task.<KEY>.201 on assignment, reset or release; 205 after a mass reset; 502/503
 * retries) wake the dispatcher. The replicas share one durable queue, so each event wakes one of
 * them, and the claim decides who dispatches. Events that arrived together wake it once. The
 * sweeper stays the safety net for an event lost in a crash.
 */
@Injectable()
export class EventWakeupsConsumer implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly subscriber: BatchingSubscriber;
  readonly counters = { events: 0, local: 0, echoes: 0 };
  /** task id → when this process announced it dispatchable. */
  private readonly announced = new Map<string, number>();

  constructor(
    connection: AmqpConnection,
    @Inject(AMQP_SETTINGS) amqp: AmqpSettings,
    private readonly wakeups: DispatchWakeups,
    events: EventPublisher,
  ) {
    // Single-machine mode (or a scheduler's own changes): woken at once, in process.
    events.onPublished((event) => {
      if (!isDispatchable(event)) return;
      this.counters.local++;
      if (event.type === 'task' && event.task_id) this.remember(event.task_id);
      this.wakeups.request();
    });
    this.subscriber = new BatchingSubscriber(connection, {
      name: EventWakeupsConsumer.name,
      queue: wakeupQueueName(amqp),
      channel: BROKER_CHANNELS.events,
      queueOptions: { durable: true, arguments: { ...serverQueueArguments(amqp.queueType), 'x-message-ttl': WAKEUP_TTL_MS } },
      bindings: DISPATCHABLE_STATES.map((state) => ({ exchange: amqp.eventsExchange, routingKey: `task.#.${state}` })),
      maxBatch: EVENT_PREFETCH,
      handle: async (batch) => {
        this.counters.events += batch.length;
        if (batch.every((msg) => this.isEcho(msg))) this.counters.echoes += batch.length;
        else this.wakeups.request();
      },
    });
  }

  /** The broker's copy of an event this process already woke for. */
  private isEcho(msg: ConsumeMessage): boolean {
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

  onApplicationBootstrap(): void {
    this.subscriber.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.subscriber.stop();
  }
}
