import type { Channel, ConsumeMessage } from 'amqplib';
import { AmqpSettings, declareWorkerQueue } from '@dane/core/broker';
import { AmqpConnection, ManagedChannel } from './amqp-connection';
import { WorkerLog } from '../log/worker-log';
import { Delivery } from './delivery';

export type DeliveryListener = (delivery: Delivery, slot: ConsumerSlot) => Promise<void>;

/**
 * One unit of concurrency: its own channel with prefetch 1 and a consumer on the worker queue.
 * A slot runs at most one task. When a long task is acknowledged before it ends (see
 * TaskConsumer.ackDeadlineMs) the slot first cancels its consumer, so the broker cannot hand it a
 * second message, and consumes again when the task is done. That is how `concurrency` keeps
 * meaning "at most N callbacks at once" even though the broker's prefetch window is empty.
 * Queue and bindings are declared again whenever the connection comes back (ManagedChannel setup).
 */
export class ConsumerSlot {
  private readonly managed: ManagedChannel;
  private ch?: Channel;
  private tag?: string;
  private subscribing = false;
  private busy = false;
  private stopping = false;

  constructor(
    connection: AmqpConnection,
    private readonly settings: AmqpSettings,
    private readonly queue: string,
    private readonly bindingKeys: string[],
    private readonly onDelivery: DeliveryListener,
    private readonly log: WorkerLog,
  ) {
    this.managed = connection.channel({ setup: (ch) => this.setup(ch) });
  }

  get isBusy(): boolean {
    return this.busy;
  }

  /** Stop taking messages (cancel the consumer); a running task carries on. */
  async pause(): Promise<void> {
    const { ch, tag } = this;
    this.tag = undefined;
    if (ch && tag) await ch.cancel(tag).catch(() => undefined);
  }

  /** Take messages again when idle. */
  async resume(): Promise<void> {
    if (this.stopping || this.busy || !this.ch) return;
    await this.subscribe(this.ch);
  }

  /** For shutdown: pause for good. */
  async stopConsuming(): Promise<void> {
    this.stopping = true;
    await this.pause();
  }

  async close(): Promise<void> {
    this.stopping = true;
    await this.managed.close();
  }

  private async setup(ch: Channel): Promise<void> {
    this.ch = ch;
    this.tag = undefined;
    ch.on('close', () => {
      if (this.ch !== ch) return;
      this.ch = undefined;
      this.tag = undefined;
    });
    await declareWorkerQueue(ch, this.settings, this.queue, this.bindingKeys);
    await ch.prefetch(1);
    if (!this.busy && !this.stopping) await this.subscribe(ch);
  }

  private async subscribe(ch: Channel): Promise<void> {
    if (this.tag || this.subscribing) return;
    this.subscribing = true;
    try {
      const { consumerTag } = await ch.consume(this.queue, (msg) => this.receive(ch, msg), { noAck: false });
      this.tag = consumerTag;
    } finally {
      this.subscribing = false;
    }
  }

  private receive(ch: Channel, msg: ConsumeMessage | null): void {
    if (msg === null) {
      // The broker cancelled us (queue deleted): reopening the channel declares the queue again.
      this.log.warn('consumer_cancelled', `The broker cancelled the consumer of queue ${this.queue}; reopening the channel`);
      this.tag = undefined;
      void ch.close().catch(() => undefined);
      return;
    }
    const delivery = new Delivery(ch, msg);
    if (this.busy || this.stopping) {
      // Only possible in the instant between a cancel and its confirmation: hand it back once.
      delivery.requeue();
      return;
    }
    this.busy = true;
    void this.onDelivery(delivery, this)
      .catch((e) => this.log.error('delivery_failed', `Unexpected error while handling a task message: ${e?.message ?? e}`))
      .finally(() => {
        this.busy = false;
        void this.resume().catch((e) => this.log.warn('resume_failed', `Could not consume again: ${e.message}`));
      });
  }
}
