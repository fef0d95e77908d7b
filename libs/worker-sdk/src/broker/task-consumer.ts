import { setMaxListeners } from 'node:events';
import { AmqpConnection } from './amqp-connection';
import { type Generator, amqpSettings, resultQueueName, type DaneConfig } from '@dane/protocol';
import { DeliveryHandler } from '../execution/delivery-handler';
import type { TaskHandler } from '../execution/invoke-handler';
import { WorkerLog } from '../log/worker-log';
import type { Channel } from 'amqplib';
import { Delivery } from './delivery';
import { TaskChannel } from './task-channel';
import { BrokerPublisher } from './publisher';
import { ReplySender } from './reply-sender';
import { ResultSender } from './result-sender';
import { CancellationListener } from './cancellation-listener';
import { Cancellations } from '../execution/cancellations';

export interface TaskConsumerOptions {
  queue: string;
  bindingKeys: string[];
  /** Callbacks running at once. */
  concurrency: number;
  /** Task messages the broker may hand this worker before it acknowledges any (≥ concurrency). */
  prefetch: number;
  /** A message waiting locally (all callbacks busy) for longer than this goes back to the queue. */
  maxLocalWaitMs: number;
  dependsOn: string[];
  heartbeatIntervalMs: number;
  /** A task still running after this long is acknowledged early (0 = on acceptance, Infinity = never). */
  ackDeadlineMs: number;
  generator: Generator;
}

/**
 * Consumes one worker queue on one channel with a prefetch window above the concurrency, over one
 * reconnecting connection, and publishes replies, heartbeats and results on a confirm channel.
 * Shared by DaneWorker and the Nest DaneTransport.
 *
 * Deliveries beyond the running callbacks wait here, unacknowledged, so the next one starts the
 * moment a callback ends, without a broker round trip. A callback's slot is free once it returns:
 * its reply is published and its message acknowledged when the broker confirms the reply, off the
 * slot's critical path (the guarantee is unchanged: no ack before the reply is confirmed, so a worker
 * killed in between leaves the message to be redelivered). A message that waits locally longer than
 * `maxLocalWaitMs` (long tasks ahead of it) is handed back to the queue for another worker.
 */
export class TaskConsumer {
  readonly connection: AmqpConnection;
  private readonly publisher: BrokerPublisher;
  private readonly channel: TaskChannel;
  private readonly deliveries: DeliveryHandler;
  /** Received, not started yet, oldest first, with when they arrived. */
  private readonly waiting: Array<{ delivery: Delivery; at: number }> = [];
  private readonly running = new Set<Promise<void>>();
  private waitTimer?: NodeJS.Timeout;
  private stopping = false;
  private readonly abort = new AbortController();
  /** Running tasks and the cancellations heard for them (docs/protocol.md, Cancellation). */
  readonly cancellations = new Cancellations();
  private readonly cancellationListener: CancellationListener;
  readonly results: ResultSender;

  constructor(
    config: DaneConfig,
    private readonly options: TaskConsumerOptions,
    handler: TaskHandler,
    private readonly log: WorkerLog,
  ) {
    // Each running task listens on the stop signal until it ends (Cancellations.start): at most `concurrency` at once.
    setMaxListeners(0, this.abort.signal);
    const settings = amqpSettings(config);
    this.connection = new AmqpConnection(settings, `worker:${options.queue}`);
    const resultQueue = resultQueueName(settings);
    this.publisher = new BrokerPublisher(this.connection, [resultQueue]);
    this.results = new ResultSender(this.publisher, resultQueue, options.generator);
    this.deliveries = new DeliveryHandler(handler, new ReplySender(this.publisher), this.results, options, log, this.abort.signal, this.cancellations);
    this.cancellationListener = new CancellationListener(this.connection, settings, options.bindingKeys, this.cancellations, log);
    this.channel = new TaskChannel(
      this.connection,
      settings,
      options.queue,
      options.bindingKeys,
      options.prefetch,
      (delivery) => this.receive(delivery),
      (ch) => this.forget(ch),
      log,
    );
  }

  /** Resolves once connected, with the queue declared, bound and consumed (retries while the broker is down). */
  async start(): Promise<void> {
    await this.connection.connect();
    this.log.info(
      'worker_started',
      `Consuming ${this.options.queue} (${this.options.bindingKeys.join(', ')}), concurrency ${this.options.concurrency}, prefetch ${this.options.prefetch}`,
    );
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
    this.stopping = true;
    await this.channel.stopConsuming();
    // Not started: straight back to the queue, for another worker.
    for (const { delivery } of this.waiting.splice(0)) delivery.requeue();
    clearTimeout(this.waitTimer);
    const deadline = Date.now() + timeoutMs;
    if (this.running.size > 0) {
      this.log.info('worker_stopping', `Waiting up to ${timeoutMs} ms for ${this.running.size} running task(s)`);
      let timer: NodeJS.Timeout | undefined;
      const timedOut = await Promise.race([Promise.allSettled([...this.running]).then(() => false), new Promise<boolean>((r) => (timer = setTimeout(() => r(true), timeoutMs)))]);
      clearTimeout(timer);
      if (timedOut) {
        this.log.warn('shutdown_timeout', `${this.running.size} task(s) still running after ${timeoutMs} ms; closing anyway`);
        this.abort.abort(new Error('worker stopping'));
      }
    }
    // Replies published and not yet confirmed: their acks follow the confirms (not waited for past the
    // deadline: an unacked message goes back to the queue when the channel closes).
    let settleTimer: NodeJS.Timeout | undefined;
    await Promise.race([this.deliveries.settled(), new Promise<void>((r) => (settleTimer = setTimeout(r, Math.max(1000, deadline - Date.now()))))]);
    clearTimeout(settleTimer);
    await this.publisher.close();
    await this.cancellationListener.close();
    await this.channel.close();
    await this.connection.close();
    this.log.info('worker_stopped', 'Worker stopped');
  }

  private receive(delivery: Delivery): void {
    if (this.stopping) {
      delivery.requeue();
      return;
    }
    this.waiting.push({ delivery, at: Date.now() });
    this.startWaiting();
  }

  /** Starts waiting deliveries while fewer than `concurrency` callbacks run. */
  private startWaiting(): void {
    while (!this.stopping && this.running.size < this.options.concurrency && this.waiting.length > 0) {
      const { delivery } = this.waiting.shift()!;
      if (delivery.isSettled) continue;
      const run: Promise<void> = this.deliveries
        .handle(delivery)
        .catch((e) => this.log.error('delivery_failed', `Unexpected error while handling a task message: ${e?.message ?? e}`))
        .finally(() => {
          this.running.delete(run);
          this.startWaiting();
        });
      this.running.add(run);
    }
    this.armWaitTimer();
  }

  /** While messages wait locally, hands back those waiting longer than maxLocalWaitMs. */
  private armWaitTimer(): void {
    if (this.waitTimer || this.waiting.length === 0 || !Number.isFinite(this.options.maxLocalWaitMs)) return;
    const due = this.waiting[0].at + this.options.maxLocalWaitMs - Date.now();
    this.waitTimer = setTimeout(
      () => {
        this.waitTimer = undefined;
        const now = Date.now();
        let handedBack = 0;
        while (this.waiting.length > 0 && now - this.waiting[0].at >= this.options.maxLocalWaitMs) {
          if (this.waiting.shift()!.delivery.requeue()) handedBack++;
        }
        if (handedBack > 0)
          this.log.info(
            'tasks_handed_back',
            `${handedBack} task message(s) waited over ${this.options.maxLocalWaitMs} ms behind running tasks; back to the queue for another worker`,
          );
        this.armWaitTimer();
      },
      Math.max(0, due),
    );
    this.waitTimer.unref();
  }

  /** The channel closed: the broker requeued what it had not been told about; forget those waiting. */
  private forget(ch: Channel): void {
    for (let i = this.waiting.length - 1; i >= 0; i--) if (this.waiting[i].delivery.channel === ch) this.waiting.splice(i, 1);
  }
}
