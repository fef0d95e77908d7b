import { Logger } from '@nestjs/common';
import { AmqpConnection, Nack } from '@golevelup/nestjs-rabbitmq';
import type { Channel, ConsumeMessage } from 'amqplib';
import { ByteSubscription, ByteSubscriptionOptions } from './byte-subscription';

export interface BatchingSubscriberOptions extends ByteSubscriptionOptions {
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
  private readonly subscription: ByteSubscription;

  constructor(
    private readonly amqp: AmqpConnection,
    private readonly options: BatchingSubscriberOptions,
  ) {
    this.logger = new Logger(options.name);
    this.subscription = new ByteSubscription(amqp, options, (msg) => this.receive(msg));
  }

  /** Subscribes (on every reconnect again); does not wait for the broker. */
  start(): void {
    this.subscription.start();
  }

  /** Stops consuming; messages received and not applied go back to the queue. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.subscription.cancel();
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
