import { Inject, Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { AmqpConnection } from '@golevelup/nestjs-rabbitmq';
import { AMQP_SETTINGS, AmqpSettings, BROKER_CHANNELS, BatchingSubscriber, DISPATCHABLE_STATES, EVENT_PREFETCH, serverQueueArguments } from '@dane/core';
import { DispatchWakeups } from './dispatch-wakeups';

/** Wake-ups older than this are dropped: a scheduler that starts runs a dispatch round anyway. */
const WAKEUP_TTL_MS = 60_000;

/** The schedulers' queue of DANE-events that announce dispatchable tasks (one queue shared by the replicas). */
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
  readonly counters = { events: 0 };

  constructor(
    connection: AmqpConnection,
    @Inject(AMQP_SETTINGS) amqp: AmqpSettings,
    private readonly wakeups: DispatchWakeups,
  ) {
    this.subscriber = new BatchingSubscriber(connection, {
      name: EventWakeupsConsumer.name,
      queue: wakeupQueueName(amqp),
      channel: BROKER_CHANNELS.events,
      queueOptions: { durable: true, arguments: { ...serverQueueArguments(amqp.queueType), 'x-message-ttl': WAKEUP_TTL_MS } },
      bindings: DISPATCHABLE_STATES.map((state) => ({ exchange: amqp.eventsExchange, routingKey: `task.#.${state}` })),
      maxBatch: EVENT_PREFETCH,
      handle: async (batch) => {
        this.counters.events += batch.length;
        this.wakeups.request();
      },
    });
  }

  onApplicationBootstrap(): void {
    this.subscriber.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.subscriber.stop();
  }
}
