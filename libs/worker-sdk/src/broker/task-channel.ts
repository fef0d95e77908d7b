import type { Channel, ConsumeMessage } from 'amqplib';
import { AmqpConnection, ManagedChannel } from './amqp-connection';
import { WorkerLog } from '../log/worker-log';
import { Delivery } from './delivery';
import { AmqpSettings, declareWorkerQueue } from '@dane/protocol';

/**
 * The worker's one consuming channel: queue and bindings declared, `basic.qos` set to the prefetch
 * window and the consumer started on every (re)open. Deliveries are handed to `onDelivery`; the
 * TaskConsumer decides when each runs (at most `concurrency` at once) and settles it on this same
 * channel (Delivery). A channel that closes takes its unsettled deliveries with it: the broker
 * requeues them, `onReset` tells the consumer to forget the ones still waiting locally.
 */
export class TaskChannel {
  private readonly managed: ManagedChannel;
  private ch?: Channel;
  private tag?: string;
  private stopping = false;

  constructor(
    connection: AmqpConnection,
    private readonly settings: AmqpSettings,
    private readonly queue: string,
    private readonly bindingKeys: string[],
    private readonly prefetch: number,
    private readonly onDelivery: (delivery: Delivery) => void,
    private readonly onReset: (channel: Channel) => void,
    private readonly log: WorkerLog,
  ) {
    this.managed = connection.channel({ setup: (ch) => this.setup(ch) });
  }

  /** For shutdown: no new deliveries (cancel the consumer); running tasks carry on. */
  async stopConsuming(): Promise<void> {
    this.stopping = true;
    const { ch, tag } = this;
    this.tag = undefined;
    if (ch && tag) await ch.cancel(tag).catch(() => undefined);
  }

  async close(): Promise<void> {
    this.stopping = true;
    await this.managed.close();
  }

  private async setup(ch: Channel): Promise<void> {
    this.ch = ch;
    this.tag = undefined;
    ch.on('close', () => {
      if (this.ch === ch) {
        this.ch = undefined;
        this.tag = undefined;
      }
      this.onReset(ch);
    });
    await declareWorkerQueue(ch, this.settings, this.queue, this.bindingKeys);
    await ch.prefetch(this.prefetch);
    if (this.stopping) return;
    const { consumerTag } = await ch.consume(this.queue, (msg) => this.receive(ch, msg), { noAck: false });
    this.tag = consumerTag;
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
    // Only possible in the instant between a cancel and its confirmation: hand it back.
    if (this.stopping) delivery.requeue();
    else this.onDelivery(delivery);
  }
}
