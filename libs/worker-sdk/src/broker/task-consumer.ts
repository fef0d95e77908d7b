import { amqpSettings, resultQueueName } from '@dane/core/broker';
import { AmqpConnection } from './amqp-connection';
import type { DaneConfig } from '@dane/core/config';
import type { Generator } from '@dane/core/model';
import { DeliveryHandler } from '../execution/delivery-handler';
import type { TaskHandler } from '../execution/invoke-handler';
import { WorkerLog } from '../log/worker-log';
import { ConsumerSlot } from './consumer-slot';
import { BrokerPublisher } from './publisher';
import { ReplySender } from './reply-sender';
import { ResultSender } from './result-sender';

export interface TaskConsumerOptions {
  queue: string;
  bindingKeys: string[];
  /** Callbacks running at once (one channel with prefetch 1 per slot). */
  concurrency: number;
  dependsOn: string[];
  heartbeatIntervalMs: number;
  /** A task still running after this long is acknowledged early (0 = on acceptance, Infinity = never). */
  ackDeadlineMs: number;
  generator: Generator;
}

/**
 * Consumes one worker queue with N slots over one reconnecting connection, and publishes replies,
 * heartbeats and results on a confirm channel. Shared by DaneWorker and the Nest DaneTransport.
 */
export class TaskConsumer {
  readonly connection: AmqpConnection;
  private readonly publisher: BrokerPublisher;
  private readonly slots: ConsumerSlot[] = [];
  private readonly running = new Set<Promise<void>>();
  private readonly abort = new AbortController();
  readonly results: ResultSender;

  constructor(
    config: DaneConfig,
    private readonly options: TaskConsumerOptions,
    handler: TaskHandler,
    private readonly log: WorkerLog,
  ) {
    const settings = amqpSettings(config);
    this.connection = new AmqpConnection(settings, `worker:${options.queue}`);
    const resultQueue = resultQueueName(settings);
    this.publisher = new BrokerPublisher(this.connection, [resultQueue]);
    this.results = new ResultSender(this.publisher, resultQueue, options.generator);
    const deliveries = new DeliveryHandler(handler, new ReplySender(this.publisher), this.results, options, log, this.abort.signal);
    for (let i = 0; i < options.concurrency; i++) {
      this.slots.push(
        new ConsumerSlot(this.connection, settings, options.queue, options.bindingKeys, (delivery, slot) => this.track(deliveries.handle(delivery, slot)), log),
      );
    }
  }

  /** Resolves once connected, with the queue declared, bound and consumed (retries while the broker is down). */
  async start(): Promise<void> {
    await this.connection.connect();
    this.log.info('worker_started', `Consuming ${this.options.queue} (${this.options.bindingKeys.join(', ')}), concurrency ${this.options.concurrency}`);
  }

  get runningTasks(): number {
    return this.running.size;
  }

  /**
   * Graceful stop: cancel the consumers (no new tasks), let running callbacks finish within
   * `timeoutMs`, then close. Tasks still running are told through ctx.signal; their messages, if not
   * yet acknowledged, go back to the queue when the channel closes, otherwise the lease recovers them.
   */
  async stop(timeoutMs: number): Promise<void> {
    await Promise.all(this.slots.map((s) => s.stopConsuming()));
    if (this.running.size > 0) {
      this.log.info('worker_stopping', `Waiting up to ${timeoutMs} ms for ${this.running.size} running task(s)`);
      let timer: NodeJS.Timeout | undefined;
      const timedOut = await Promise.race([
        Promise.allSettled([...this.running]).then(() => false),
        new Promise<boolean>((r) => (timer = setTimeout(() => r(true), timeoutMs))),
      ]);
      clearTimeout(timer);
      if (timedOut) {
        this.log.warn('shutdown_timeout', `${this.running.size} task(s) still running after ${timeoutMs} ms; closing anyway`);
        this.abort.abort(new Error('worker stopping'));
      }
    }
    await this.publisher.close();
    for (const s of this.slots) await s.close();
    await this.connection.close();
    this.log.info('worker_stopped', 'Worker stopped');
  }

  private track(p: Promise<void>): Promise<void> {
    this.running.add(p);
    return p.finally(() => this.running.delete(p));
  }
}
