import type { Channel, ConsumeMessage } from 'amqplib';
import { type AmqpSettings, decodeEvent, TaskState } from '@dane/protocol';
import { AmqpConnection, ManagedChannel } from './amqp-connection';
import type { Cancellations } from '../execution/cancellations';
import { WorkerLog } from '../log/worker-log';

/**
 * The routing keys of the cancellations of the tasks a worker serves: `task.<KEY>.499` for each concrete key of its
 * binding keys (`#.ASR` → `task.ASR.499`), `task.*.499` when one of them ends in a wildcard.
 */
export function cancellationRoutingKeys(bindingKeys: readonly string[]): string[] {
  const keys = new Set<string>();
  for (const bindingKey of bindingKeys) {
    const last = bindingKey.split('.').pop()!;
    keys.add(last === '*' || last === '#' || !bindingKey.includes('.') ? '*' : last.toUpperCase());
  }
  return keys.has('*') ? [`task.*.${TaskState.CANCELLED}`] : [...keys].map((k) => `task.${k}.${TaskState.CANCELLED}`);
}

/**
 * Hears the cancellations of the worker's keys on the DANE-events exchange (docs/events.md): a private, exclusive,
 * auto-delete queue per worker process, bound to `task.<KEY>.499`, consumed without acks. Each event aborts the
 * `ctx.signal` of the matching running task (Cancellations). A server without the events exchange (a Python DANE
 * server) just means no cancellations: the failure is logged once and the worker carries on.
 */
export class CancellationListener {
  private readonly managed: ManagedChannel;
  private failed = false;

  constructor(
    connection: AmqpConnection,
    private readonly settings: AmqpSettings,
    private readonly bindingKeys: readonly string[],
    private readonly cancellations: Cancellations,
    private readonly log: WorkerLog,
  ) {
    this.managed = connection.channel({ setup: (ch) => this.setup(ch) });
  }

  async close(): Promise<void> {
    await this.managed.close();
  }

  private async setup(ch: Channel): Promise<void> {
    if (this.failed) return;
    try {
      // The server declares it the same way (durable topic); declaring it here lets a worker start first.
      await ch.assertExchange(this.settings.eventsExchange, 'topic', { durable: true, autoDelete: false });
      const { queue } = await ch.assertQueue('', { exclusive: true, autoDelete: true, durable: false });
      for (const routingKey of cancellationRoutingKeys(this.bindingKeys)) await ch.bindQueue(queue, this.settings.eventsExchange, routingKey);
      await ch.consume(queue, (msg) => this.receive(msg), { noAck: true });
    } catch (e) {
      // E.g. no permission on the exchange: run without cancellations rather than without tasks.
      this.failed = true;
      this.log.warn('cancellations_unavailable', `Not listening for cancellations on ${this.settings.eventsExchange}: ${e.message}`);
    }
  }

  private receive(msg: ConsumeMessage | null): void {
    if (!msg) return;
    const decoded = decodeEvent(msg.content, msg.fields.routingKey);
    if (!decoded.ok || decoded.event.type !== 'task' || decoded.event.state !== TaskState.CANCELLED || decoded.event.task_id === null) return;
    const { task_id, attempt, key } = decoded.event;
    const aborted = this.cancellations.cancel(task_id, attempt);
    if (aborted > 0) this.log.info('task_cancel_received', `Task ${key} was cancelled; its callback is told through ctx.signal`, { task_id, attempt });
  }
}
