import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import type { Channel, ConsumeMessage } from 'amqplib';
import { AmqpConnection, AmqpSettings, DANE_STORE, DaneError, DaneStore, ManagedChannel, NotFoundError, createResult, resultQueueName } from '@dane/core';
import { RESULTS_AMQP_SETTINGS, RESULTS_BROKER } from './broker.provider';
import { ResultIntake, readResultMessage } from './result-message';

const PREFETCH = 50;
const STORE_RETRY_MS = 1000;

/**
 * Stores the results workers send over the broker (architecture principle 7: workers never touch
 * the store). The message id de-duplicates redeliveries (at-least-once). A malformed message or an
 * unknown task is acknowledged, logged and counted; the consumer never crashes (principle 9).
 */
@Injectable()
export class ResultConsumer implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(ResultConsumer.name);
  private channel?: ManagedChannel;
  private readonly inFlight = new Set<Promise<void>>();
  private stopped = false;
  readonly counters = { stored: 0, malformed: 0, unknownTask: 0 };

  constructor(
    @Inject(DANE_STORE) private readonly store: DaneStore,
    @Inject(RESULTS_BROKER) private readonly connection: AmqpConnection,
    @Inject(RESULTS_AMQP_SETTINGS) private readonly amqp: AmqpSettings,
  ) {}

  get queue(): string {
    return resultQueueName(this.amqp);
  }

  onApplicationBootstrap(): void {
    this.channel = this.connection.channel({
      setup: async (ch) => {
        await ch.assertQueue(this.queue, { durable: true, exclusive: false, autoDelete: false });
        await ch.prefetch(PREFETCH);
        await ch.consume(this.queue, (msg) => (msg ? this.track(this.handle(ch, msg)) : this.onCancelled(ch)), { noAck: false });
      },
    });
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.inFlight);
    await this.channel?.close();
  }

  /** Resolves when every message received so far is handled. For tests. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all(this.inFlight);
  }

  private track(work: Promise<void>): void {
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
  }

  private async handle(ch: Channel, msg: ConsumeMessage): Promise<void> {
    const messageId = typeof msg.properties.messageId === 'string' && msg.properties.messageId !== '' ? msg.properties.messageId : undefined;
    let intake: ResultIntake;
    try {
      intake = readResultMessage(msg.content);
    } catch (err) {
      this.drop(ch, msg, 'result_malformed', 'malformed', { message_id: messageId ?? null, reason: err.message, body: msg.content.toString('utf8', 0, 200) });
      return;
    }
    const fields = { task_id: intake.taskId, message_id: messageId ?? null };
    for (;;) {
      try {
        const task = await this.store.tasks.findById(intake.taskId);
        if (!task) throw new NotFoundError(`No task with id \`${intake.taskId}\``);
        const stored = await this.store.results.insert(createResult(task, intake.input), messageId);
        this.counters.stored++;
        this.logger.log(JSON.stringify({ event: 'result_stored', ...fields, document_id: task.document_id, key: task.key, result_id: stored._id }));
        ack(ch, msg);
        return;
      } catch (err) {
        if (err instanceof NotFoundError) return this.drop(ch, msg, 'result_unknown_task', 'unknownTask', { ...fields, reason: err.message });
        if (err instanceof DaneError && err.status < 500) return this.drop(ch, msg, 'result_malformed', 'malformed', { ...fields, reason: err.message });
        // The store is unavailable: keep the message (unacked) and try again while its channel lives.
        this.logger.warn(JSON.stringify({ event: 'result_store_failed', ...fields, error: err.message, retry_in_ms: STORE_RETRY_MS }));
        if (this.stopped || ch !== this.channel?.current) return;
        await new Promise((r) => setTimeout(r, STORE_RETRY_MS));
      }
    }
  }

  private drop(ch: Channel, msg: ConsumeMessage, event: string, counter: 'malformed' | 'unknownTask', fields: Record<string, unknown>): void {
    this.counters[counter]++;
    this.logger.warn(JSON.stringify({ event, ...fields, count: this.counters[counter] }));
    ack(ch, msg);
  }

  private onCancelled(ch: Channel): void {
    this.logger.warn(JSON.stringify({ event: 'result_consumer_cancelled', queue: this.queue }));
    ch.close().catch(() => undefined);
  }
}

function ack(ch: Channel, msg: ConsumeMessage): void {
  try {
    ch.ack(msg);
  } catch {
    // Channel gone: the message comes again and its message id makes it a no-op.
  }
}
