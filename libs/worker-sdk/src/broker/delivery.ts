import type { Channel, ConsumeMessage } from 'amqplib';

/**
 * One task message and the channel it arrived on. Acks must go to that channel: after a reconnect
 * the same delivery tag on a new channel would ack another message (or close the channel with
 * PRECONDITION_FAILED). Settling twice, or on a channel that is gone, is a no-op that reports false
 * (the broker has already requeued the message).
 */
export class Delivery {
  private settled = false;

  constructor(
    readonly channel: Channel,
    readonly message: ConsumeMessage,
  ) {}

  get isSettled(): boolean {
    return this.settled;
  }

  ack(): boolean {
    return this.settle(() => this.channel.ack(this.message));
  }

  /** Give the message back without running it (we are stopping, or no slot is free). */
  requeue(): boolean {
    return this.settle(() => this.channel.nack(this.message, false, true));
  }

  private settle(action: () => void): boolean {
    if (this.settled) return false;
    this.settled = true;
    try {
      action();
      return true;
    } catch {
      return false;
    }
  }
}
