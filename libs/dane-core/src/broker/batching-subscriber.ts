import { Logger } from '@nestjs/common';
import { AmqpConnection, Nack, QueueOptions } from '@golevelup/nestjs-rabbitmq';
import type { Channel, ConsumeMessage } from 'amqplib';

export interface BatchingSubscriberOptions {
  /** For log lines. */
  name: string;
  queue: string;
  /** A named channel of the RabbitMQ module (its prefetch bounds what one batch can hold). */
  channel: string;
  queueOptions: Omit<QueueOptions, 'channel'>;
  /** Bindings declared with the queue. */
  bindings?: Array<{ exchange: string; routingKey: string }>;
  /** Largest batch handed to `handle` at once. */
  maxBatch: number;
  /**
   * Applies a batch. Resolving acknowledges every message of it; throwing keeps them and calls it
   * again after `retryMs` while their channel lives (a closed channel's messages come again).
   */
  handle(batch: ConsumeMessage[]): Promise<void>;
  retryMs?: number;
}

interface Pending {
  msg: ConsumeMessage;
  channel: Channel | undefined;
  done(outcome: undefined | Nack): void;
}

/**
 * A golevelup subscriber that applies what arrived together as one batch: every message read from
 * the socket in one turn of the event loop (or while the previous batch was being applied) joins
 * the next batch; no timer, so an idle consumer applies a lone message at once. One batch at a
 * time. golevelup acknowledges each message once its batch is applied.
 */
export class BatchingSubscriber {
  private readonly logger: Logger;
  private pending: Pending[] = [];
  private scheduled = false;
  private processing?: Promise<void>;
  private stopped = false;
  private consumerTag?: Promise<string | undefined>;

  constructor(
    private readonly amqp: AmqpConnection,
    private readonly options: BatchingSubscriberOptions,
  ) {
    this.logger = new Logger(options.name);
  }

  /** Subscribes (on every reconnect again); does not wait for the broker. */
  start(): void {
    const o = this.options;
    this.consumerTag = this.amqp
      .createSubscriber<Buffer>(
        (_content, raw) => this.receive(raw!),
        {
          queue: o.queue,
          queueOptions: { ...o.queueOptions, channel: o.channel },
          bindings: o.bindings,
          createQueueIfNotExists: true,
          // Messages are read by the protocol module, leniently; golevelup hands over the bytes.
          deserializer: (content: Buffer) => content,
          allowNonJsonMessages: true,
          // Only an ack on a channel that closed meanwhile can fail: the broker redelivers that message.
          errorHandler: (_ch, msg, err) => this.logger.debug?.(JSON.stringify({ event: 'ack_failed', queue: o.queue, delivery_tag: msg.fields.deliveryTag, error: err?.message })),
        },
        o.name,
      )
      .then(
        (s) => s.consumerTag,
        (err) => {
          this.logger.warn(JSON.stringify({ event: 'subscribe_failed', queue: o.queue, error: err?.message }));
          return undefined;
        },
      );
  }

  /** Stops consuming; messages received and not applied go back to the queue. */
  async stop(): Promise<void> {
    this.stopped = true;
    const tag = await Promise.race([this.consumerTag ?? Promise.resolve(undefined), new Promise<undefined>((r) => setTimeout(() => r(undefined), 100))]);
    if (tag) await this.amqp.cancelConsumer(tag).catch(() => undefined);
    await this.processing;
    for (const p of this.pending.splice(0)) p.done(new Nack(true));
  }

  private receive(msg: ConsumeMessage): Promise<undefined | Nack> {
    if (this.stopped) return Promise.resolve(new Nack(true));
    return new Promise((done) => {
      this.pending.push({ msg, channel: this.amqp.channels[this.options.channel], done });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.processing || this.stopped) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.processing ??= this.drain().finally(() => {
        this.processing = undefined;
        if (this.pending.length > 0) this.schedule();
      });
    });
  }

  private async drain(): Promise<void> {
    while (this.pending.length > 0 && !this.stopped) await this.apply(this.pending.splice(0, this.options.maxBatch));
  }

  private async apply(batch: Pending[]): Promise<void> {
    for (;;) {
      try {
        await this.options.handle(batch.map((p) => p.msg));
        batch.forEach((p) => p.done(undefined));
        return;
      } catch (err) {
        const retryMs = this.options.retryMs ?? 1000;
        this.logger.warn(JSON.stringify({ event: 'batch_failed', queue: this.options.queue, messages: batch.length, error: err?.message, retry_in_ms: retryMs }));
        // Messages of a channel that closed are redelivered by the broker: let go of our copies.
        const current = this.amqp.channels[this.options.channel];
        const gone = batch.filter((p) => p.channel !== current);
        gone.forEach((p) => p.done(new Nack(true)));
        batch = batch.filter((p) => p.channel === current);
        if (batch.length === 0) return;
        if (this.stopped) {
          batch.forEach((p) => p.done(new Nack(true)));
          return;
        }
        await new Promise((r) => setTimeout(r, retryMs));
      }
    }
  }
}
