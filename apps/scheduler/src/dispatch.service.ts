import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import type { ConfirmChannel, Message } from 'amqplib';
import {
  ATTEMPT_HEADER,
  DEPENDENCIES_DONE_HEADER,
  AmqpConnection,
  AmqpSettings,
  ClaimedTask,
  DANE_STORE,
  DaneStore,
  ManagedChannel,
  TaskState,
  TransitionRequest,
  declareExchange,
  declareResponseQueue,
  publishFailedRequest,
  routingKeyFor,
  taskMessageBody,
  unroutableRequest,
} from '@dane/core';
import { SCHEDULER_AMQP_SETTINGS, SCHEDULER_BROKER } from './broker.provider';
import { DependencyService } from './dependency.service';
import { SCHEDULER_SETTINGS, SchedulerSettings } from './scheduler-settings';

/** A task whose publish failed is claimable again after this pause (not a hot claim/publish loop). */
const REPUBLISH_DELAY_MS = 1000;
/** A confirm that never comes (blocked connection) must not stall dispatch forever. */
const CONFIRM_TIMEOUT_MS = 30_000;
/** Due timers further out than this are left to the sweeper's interval. */
const MAX_DUE_TIMER_MS = 60_000;
const MIN_DUE_TIMER_MS = 100;

type PublishOutcome = { kind: 'confirmed' } | { kind: 'returned' } | { kind: 'failed'; reason: string };

/**
 * The outbox (architecture principle 2): claim runnable tasks in the store (→ 102, attempt + 1,
 * lease), publish each on a confirm channel with `mandatory`, then settle the ones the broker did
 * not take: returned → 422, not confirmed → runnable again. A crash between claim and publish is
 * healed by the lease. Runs when woken (store NOTIFY, reply batches, sweeps, the next due back-off).
 */
@Injectable()
export class DispatchService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(DispatchService.name);
  private channel?: ManagedChannel;
  /** `task id#attempt` of messages the broker returned as unroutable, until their confirm arrives. */
  private readonly returned = new Set<string>();
  private running?: Promise<void>;
  private wakeAgain = false;
  private dueTimer?: NodeJS.Timeout;
  private unsubscribe?: () => void;
  private stopped = false;
  readonly counters = { dispatched: 0, unroutable: 0, publishFailed: 0 };

  constructor(
    @Inject(DANE_STORE) private readonly store: DaneStore,
    @Inject(SCHEDULER_BROKER) private readonly connection: AmqpConnection,
    @Inject(SCHEDULER_AMQP_SETTINGS) private readonly amqp: AmqpSettings,
    @Inject(SCHEDULER_SETTINGS) private readonly settings: SchedulerSettings,
    private readonly dependencies: DependencyService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.channel = this.connection.channel({
      confirm: true,
      // Topology again on every (re)connect (§3.1); the server never declares worker queues.
      setup: async (ch) => {
        await declareExchange(ch, this.amqp);
        await declareResponseQueue(ch, this.amqp);
        ch.on('return', (msg: Message) => this.onReturn(msg));
        // The channel becomes current once setup resolves; dispatch what piled up meanwhile.
        setImmediate(() => this.wake());
      },
    });
    this.unsubscribe = await this.store.onRunnable(() => this.wake());
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    if (this.dueTimer) clearTimeout(this.dueTimer);
    await this.running;
    await this.channel?.close();
  }

  /** Asks for a dispatch run; calls while one runs are folded into one more run after it. */
  wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.wakeAgain = true;
      return;
    }
    this.running = this.drain().finally(() => {
      this.running = undefined;
      if (this.wakeAgain) {
        this.wakeAgain = false;
        this.wake();
      }
    });
  }

  /** Claims while full batches come back, then sleeps until woken or the next back-off falls due. */
  private async drain(): Promise<void> {
    try {
      while (!this.stopped && (await this.dispatchBatch()) >= this.settings.batchSize);
      await this.armDueTimer();
    } catch (err) {
      this.logger.warn(JSON.stringify({ event: 'dispatch_failed', error: err.message }));
    }
  }

  /** One claim + publish + settle round. Returns how many tasks were claimed. */
  private async dispatchBatch(): Promise<number> {
    const ch = this.channel?.current as ConfirmChannel | undefined;
    // No channel, no claim: tasks stay runnable while the broker is away.
    if (!ch) return 0;
    const claimed = await this.store.tasks.claimRunnable(this.settings.batchSize, this.settings.leaseMs);
    if (claimed.length === 0) return 0;
    const outcomes = await this.publishAll(ch, claimed);
    const settle: TransitionRequest[] = [];
    const now = new Date();
    claimed.forEach(({ task, document }, i) => {
      const outcome = outcomes[i];
      const fields = { task_id: task._id, document_id: document._id, key: task.key, attempt: task.attempt };
      if (outcome.kind === 'confirmed') {
        this.counters.dispatched++;
        this.logger.debug(JSON.stringify({ event: 'task_dispatched', ...fields, routing_key: routingKeyFor(document, task) }));
      } else if (outcome.kind === 'returned') {
        this.counters.unroutable++;
        settle.push(unroutableRequest(task));
        this.logger.warn(JSON.stringify({ event: 'task_unroutable', ...fields, routing_key: routingKeyFor(document, task) }));
      } else {
        this.counters.publishFailed++;
        settle.push(publishFailedRequest(task, outcome.reason, now, REPUBLISH_DELAY_MS));
        this.logger.warn(JSON.stringify({ event: 'task_publish_failed', ...fields, error: outcome.reason }));
      }
    });
    if (settle.length > 0) {
      const stored = await this.store.tasks.transitionMany(settle);
      // An unroutable task waits for a person; its dependants say what blocks them.
      for (const t of stored) if (t?.state === TaskState.NO_ROUTE_TO_QUEUE) await this.dependencies.markBlocked(t);
    }
    return claimed.length;
  }

  /**
   * Publishes the whole batch, then waits for the confirms (a window, not one round trip per task).
   * Properties exactly as §3.2 plus the attempt header our replies are matched on.
   */
  private async publishAll(ch: ConfirmChannel, claimed: ClaimedTask[]): Promise<PublishOutcome[]> {
    const pending: Promise<PublishOutcome>[] = [];
    for (const { task, document } of claimed) {
      const returnKey = `${task._id}#${task.attempt}`;
      let settle!: (outcome: PublishOutcome) => void;
      pending.push(
        new Promise<PublishOutcome>((resolve) => {
          const timer = setTimeout(() => settle({ kind: 'failed', reason: 'no publisher confirm' }), CONFIRM_TIMEOUT_MS);
          let done = false;
          settle = (outcome) => {
            if (done) return;
            done = true;
            clearTimeout(timer);
            resolve(this.returned.delete(returnKey) && outcome.kind === 'confirmed' ? { kind: 'returned' } : outcome);
          };
        }),
      );
      try {
        const writable = ch.publish(
          this.amqp.exchange,
          routingKeyFor(document, task),
          taskMessageBody(task, document),
          {
            mandatory: true,
            replyTo: this.amqp.responseQueue,
            correlationId: task._id,
            priority: task.priority,
            persistent: true,
            // A runnable task with depends_on was released (or assigned) with every dependency in 200.
            headers: task.depends_on.length ? { [ATTEMPT_HEADER]: task.attempt, [DEPENDENCIES_DONE_HEADER]: true } : { [ATTEMPT_HEADER]: task.attempt },
          },
          // basic.return precedes the ack of the same message, so `returned` is filled by now.
          (err) => settle(err ? { kind: 'failed', reason: err.message } : { kind: 'confirmed' }),
        );
        if (!writable) await drained(ch);
      } catch (err) {
        settle({ kind: 'failed', reason: err.message });
      }
    }
    return Promise.all(pending);
  }

  private onReturn(msg: Message): void {
    const id = msg.properties.correlationId;
    const attempt = msg.properties.headers?.[ATTEMPT_HEADER];
    if (typeof id === 'string') this.returned.add(`${id}#${attempt}`);
  }

  /** Wakes the dispatcher when the earliest back-off falls due (sooner than the sweep would). */
  private async armDueTimer(): Promise<void> {
    if (this.dueTimer) clearTimeout(this.dueTimer);
    this.dueTimer = undefined;
    // Without a channel nothing can be dispatched; the channel's setup wakes us when it is back.
    if (this.stopped || !this.channel?.current) return;
    const due = await this.store.tasks.nextDueAt();
    if (!due || this.stopped) return;
    // A due time already past means another replica holds that row right now: look again shortly.
    const delay = Math.max(MIN_DUE_TIMER_MS, due.getTime() - Date.now());
    if (delay > MAX_DUE_TIMER_MS) return;
    this.dueTimer = setTimeout(() => {
      this.dueTimer = undefined;
      this.wake();
    }, delay);
  }
}

/** Waits until the socket buffer has room again, or the channel is gone. */
function drained(ch: ConfirmChannel): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      ch.off('drain', done);
      ch.off('close', done);
      resolve();
    };
    ch.once('drain', done);
    ch.once('close', done);
  });
}
