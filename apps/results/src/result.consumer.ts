import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { AmqpConnection, Nack } from '@golevelup/nestjs-rabbitmq';
import type { ConsumeMessage } from 'amqplib';
import {
  AMQP_SETTINGS,
  AmqpSettings,
  BROKER_CHANNELS,
  ByteSubscription,
  DANE_STORE,
  DaneError,
  DaneStore,
  NotFoundError,
  ResultIntake,
  TaskState,
  createResult,
  readResultMessage,
  resultQueueName,
  serverQueueArguments,
} from '@dane/core';
import { FlowMetrics } from '@dane/core/metrics';

const STORE_RETRY_MS = 1000;

/**
 * Stores the results workers send over the broker (architecture principle 7: workers never touch
 * the store): a golevelup subscriber on the results queue, each message handled on its own (up to
 * the channel's prefetch at once) and acknowledged once stored. The message id de-duplicates
 * redeliveries (at-least-once). A malformed message, an unknown task or a cancelled one (499) is acknowledged,
 * logged and counted; the consumer never crashes (principle 9). The store publishes result.<KEY>.stored.
 */
@Injectable()
export class ResultConsumer implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(ResultConsumer.name);
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly subscription: ByteSubscription;
  private stopped = false;
  readonly counters = { stored: 0, malformed: 0, unknownTask: 0, cancelledTask: 0 };

  constructor(
    @Inject(DANE_STORE) private readonly store: DaneStore,
    private readonly connection: AmqpConnection,
    @Inject(AMQP_SETTINGS) private readonly amqp: AmqpSettings,
    private readonly flow: FlowMetrics,
  ) {
    this.subscription = new ByteSubscription(
      connection,
      { name: ResultConsumer.name, queue: this.queue, channel: BROKER_CHANNELS.results, queueOptions: { durable: true, arguments: serverQueueArguments(amqp.queueType) } },
      (msg) => this.track(this.handle(msg)),
    );
  }

  get queue(): string {
    return resultQueueName(this.amqp);
  }

  onApplicationBootstrap(): void {
    this.subscription.start();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    await this.subscription.cancel();
    await Promise.all(this.inFlight);
  }

  /** Resolves when every message received so far is handled. For tests. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all(this.inFlight);
  }

  private track<T>(work: Promise<T>): Promise<T> {
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
    return work;
  }

  /** Resolves to nothing (acknowledge) or a Nack (keep the message: it comes again). */
  private async handle(msg: ConsumeMessage): Promise<void | Nack> {
    const channel = this.connection.channels[BROKER_CHANNELS.results];
    const messageId = typeof msg.properties.messageId === 'string' && msg.properties.messageId !== '' ? msg.properties.messageId : undefined;
    let intake: ResultIntake;
    try {
      intake = readResultMessage(msg.content);
    } catch (err) {
      this.drop('result_malformed', 'malformed', { message_id: messageId ?? null, reason: err.message, body: msg.content.toString('utf8', 0, 200) });
      return;
    }
    const fields = { task_id: intake.taskId, message_id: messageId ?? null };
    for (;;) {
      try {
        const task = await this.store.tasks.findById(intake.taskId);
        if (!task) throw new NotFoundError(`No task with id \`${intake.taskId}\``);
        // A cancelled task's results are not stored: its worker was told to stop, and what it sends anyway
        // belongs to a run nobody wants (docs/protocol.md, Cancellation). A retry or reset moves it out of 499 first.
        if (task.state === TaskState.CANCELLED) {
          return this.drop('result_of_cancelled_task', 'cancelledTask', { ...fields, document_id: task.document_id, key: task.key, reason: 'the task was cancelled' });
        }
        const stored = await this.store.results.insert(createResult(task, intake.input), messageId);
        this.counters.stored++;
        this.flow.resultMessage('stored');
        this.logger.log(JSON.stringify({ event: 'result_stored', ...fields, document_id: task.document_id, key: task.key, result_id: stored._id }));
        return;
      } catch (err) {
        if (err instanceof NotFoundError) return this.drop('result_unknown_task', 'unknownTask', { ...fields, reason: err.message });
        if (err instanceof DaneError && err.status < 500) return this.drop('result_malformed', 'malformed', { ...fields, reason: err.message });
        // The store is unavailable: keep the message (unacked) and try again while its channel lives.
        this.logger.warn(JSON.stringify({ event: 'result_store_failed', ...fields, error: err.message, retry_in_ms: STORE_RETRY_MS }));
        if (this.stopped || channel !== this.connection.channels[BROKER_CHANNELS.results]) return new Nack(true);
        await new Promise((r) => setTimeout(r, STORE_RETRY_MS));
      }
    }
  }

  private drop(event: string, counter: 'malformed' | 'unknownTask' | 'cancelledTask', fields: Record<string, unknown>): void {
    this.counters[counter]++;
    this.flow.resultMessage(counter);
    this.logger.warn(JSON.stringify({ event, ...fields, count: this.counters[counter] }));
  }
}
