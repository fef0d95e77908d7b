import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { AmqpConnection } from '@golevelup/nestjs-rabbitmq';
import {
  AMQP_SETTINGS,
  ATTEMPT_HEADER,
  DEPENDENCIES_DONE_HEADER,
  AmqpSettings,
  ClaimedTask,
  ConfirmPublisher,
  DANE_STORE,
  DaneStore,
  PublishOutcome,
  TaskState,
  TransitionRequest,
  publishFailedRequest,
  routingKeyFor,
  serverQueueArguments,
  taskMessageBody,
  unroutableGraceRequest,
  unroutableRequest,
} from '@dane/core';
import { FlowMetrics, TaskMetrics } from '@dane/core/metrics';
import { DependencyService } from './dependency.service';
import { DispatchWakeups } from './dispatch-wakeups';
import { SCHEDULER_SETTINGS, SchedulerSettings } from './scheduler-settings';

/** A task whose publish failed is claimable again after this pause (not a hot claim/publish loop). */
const REPUBLISH_DELAY_MS = 1000;
/** A confirm that never comes (blocked connection) must not stall dispatch forever. */
const CONFIRM_TIMEOUT_MS = 30_000;
/** Due timers further out than this are left to the sweeper's interval. */
const MAX_DUE_TIMER_MS = 60_000;
const MIN_DUE_TIMER_MS = 100;
/**
 * The earliest back-off is looked up again at most this often unless a back-off was just set
 * (a publish failure here, a retry decided by the reply consumer); the sweep's wake-up (every
 * SWEEP_INTERVAL_MS) always finds it stale. Saves one statement per dispatch run under load.
 */
const DUE_RECHECK_MS = 500;
/** Confirm window: batches claimed and published before the oldest batch's confirms are back. */
const CONFIRM_WINDOW_BATCHES = 4;

/**
 * The outbox (architecture principle 2): claim runnable tasks in the store (→ 102, attempt + 1,
 * lease), publish each through golevelup's AmqpConnection on its confirm channel with `mandatory`,
 * then settle the ones the broker did not take: returned → 422, not confirmed → runnable again. A
 * crash between claim and publish is healed by the lease. Runs when woken (DANE-events of new,
 * reset and released tasks, reply batches, sweeps, the next due back-off).
 *
 * Confirms are a window, not a wait: while full batches come back the next claim does not wait for
 * the previous batch's confirms (up to CONFIRM_WINDOW_BATCHES batches unconfirmed); each batch is
 * settled when its own confirms are back. A wake-up claims at once when the dispatcher is idle; one
 * arriving while a run is under way (claiming, or waiting for the confirms of its last, partial
 * batch) is folded into one more claim right after it.
 */
@Injectable()
export class DispatchService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(DispatchService.name);
  private readonly publisher: ConfirmPublisher;
  private running?: Promise<void>;
  private wakeAgain = false;
  /** Tasks published whose confirms are not all back yet, and the settlements waiting for them. */
  private unconfirmed = 0;
  private readonly settling = new Set<Promise<void>>();
  /** The claim loop stopped at the confirm window; a settlement wakes it. */
  private windowFull = false;
  private dueTimer?: NodeJS.Timeout;
  private dueCheckedAt = 0;
  private dueChanged = true;
  private stopped = false;
  /** When the confirm channel last (re)opened: the start of the unroutable grace window. */
  private channelOpenedAt = 0;
  readonly counters = { dispatched: 0, unroutable: 0, publishFailed: 0 };

  constructor(
    @Inject(DANE_STORE) private readonly store: DaneStore,
    private readonly connection: AmqpConnection,
    @Inject(AMQP_SETTINGS) private readonly amqp: AmqpSettings,
    @Inject(SCHEDULER_SETTINGS) private readonly settings: SchedulerSettings,
    private readonly dependencies: DependencyService,
    private readonly wakeups: DispatchWakeups,
    private readonly flow: FlowMetrics,
    private readonly metrics: TaskMetrics,
  ) {
    // A returned message is known by its task id and attempt (the attempt header).
    this.publisher = new ConfirmPublisher(
      connection,
      (p) => (typeof p.correlationId === 'string' ? `${p.correlationId}#${p.headers?.[ATTEMPT_HEADER]}` : undefined),
      async (ch) => {
        // Replies need their queue before the first task goes out; the server never declares worker queues.
        await ch.assertQueue(this.amqp.responseQueue, { durable: true, arguments: serverQueueArguments(this.amqp.queueType) });
        this.channelOpenedAt = Date.now();
        // Dispatch what piled up while the channel was away.
        setImmediate(() => this.wake());
      },
    );
  }

  onApplicationBootstrap(): void {
    this.wakeups.listen((dueChanged) => this.wake(dueChanged));
    this.wake();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    if (this.dueTimer) clearTimeout(this.dueTimer);
    await this.running;
    await Promise.all([...this.settling]);
  }

  /**
   * Asks for a dispatch run; calls while one runs are folded into one more run after it.
   * `dueChanged`: a back-off (not_before) was just set, so the next due time is looked up again.
   */
  wake(dueChanged = false): void {
    if (dueChanged) this.dueChanged = true;
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
      const window = this.settings.batchSize * CONFIRM_WINDOW_BATCHES;
      while (!this.stopped) {
        const room = window - this.unconfirmed;
        if (room <= 0) {
          // Full window: the settlement that makes room wakes us again.
          this.windowFull = true;
          return;
        }
        const limit = Math.min(this.settings.batchSize, room);
        const { claimed, settled } = await this.dispatchBatch(limit);
        if (claimed < limit) {
          // Caught up: wait for this (small) batch's confirms before the run ends, so wake-ups
          // arriving meanwhile fold into one claim instead of one claim per task under load.
          await settled;
          break;
        }
      }
      await this.armDueTimer();
    } catch (err) {
      this.logger.warn(JSON.stringify({ event: 'dispatch_failed', error: err.message }));
    }
  }

  /** One claim + publish round; its confirms are settled later (`settled`). */
  private async dispatchBatch(limit: number): Promise<{ claimed: number; settled?: Promise<void> }> {
    // No connection, no claim: tasks stay runnable while the broker is away.
    if (!this.connection.connected) return { claimed: 0 };
    const claimed = await this.store.tasks.claimRunnable(limit, this.settings.leaseMs, this.settings.maxInFlightPerKey);
    if (claimed.length === 0) return { claimed: 0 };
    this.metrics.claimed(claimed);
    this.unconfirmed += claimed.length;
    const pending = this.publishAll(claimed);
    const settlement: Promise<void> = Promise.all(pending)
      .then((outcomes) => this.settle(claimed, outcomes))
      .catch((err) => this.logger.warn(JSON.stringify({ event: 'dispatch_settle_failed', tasks: claimed.length, error: err.message })))
      .finally(() => {
        this.settling.delete(settlement);
        this.unconfirmed -= claimed.length;
        if (this.windowFull) {
          this.windowFull = false;
          this.wake();
        }
      });
    this.settling.add(settlement);
    return { claimed: claimed.length, settled: settlement };
  }

  /** Counts the confirmed tasks; returned → 422, not confirmed → runnable again after a pause. */
  private async settle(claimed: ClaimedTask[], outcomes: PublishOutcome[]): Promise<void> {
    const settle: TransitionRequest[] = [];
    const published: Array<{ id: string; attempt: number }> = [];
    const now = new Date();
    const debug = Logger.isLevelEnabled('debug');
    claimed.forEach(({ task, document }, i) => {
      const outcome = outcomes[i];
      if (outcome.kind === 'confirmed') {
        this.counters.dispatched++;
        this.flow.dispatch('dispatched');
        published.push({ id: task._id, attempt: task.attempt });
        this.metrics.dispatched(task);
        if (debug) this.logger.debug(JSON.stringify({ event: 'task_dispatched', ...taskFields(task, document), routing_key: routingKeyFor(document, task) }));
      } else if (outcome.kind === 'returned' && now.getTime() - this.channelOpenedAt < this.settings.unroutableGraceMs) {
        settle.push(unroutableGraceRequest(task, now, REPUBLISH_DELAY_MS));
        this.logger.warn(JSON.stringify({ event: 'task_unroutable_grace', ...taskFields(task, document), routing_key: routingKeyFor(document, task) }));
      } else if (outcome.kind === 'returned') {
        this.counters.unroutable++;
        this.flow.dispatch('unroutable');
        settle.push(unroutableRequest(task));
        this.logger.warn(JSON.stringify({ event: 'task_unroutable', ...taskFields(task, document), routing_key: routingKeyFor(document, task) }));
      } else {
        this.counters.publishFailed++;
        this.flow.dispatch('publishFailed');
        settle.push(publishFailedRequest(task, outcome.reason, now, REPUBLISH_DELAY_MS));
        this.logger.warn(JSON.stringify({ event: 'task_publish_failed', ...taskFields(task, document), error: outcome.reason }));
      }
    });
    // In the broker's hands now: waiting in a queue may take hours, so the short claim lease gives way to the queue lease.
    if (published.length) await this.store.tasks.confirmPublished(published, this.settings.queueLeaseMs);
    if (settle.length === 0) return;
    const stored = await this.store.tasks.transitionMany(settle);
    // A failed publish set a back-off: the due timer must see it.
    this.dueChanged = true;
    // An unroutable task waits for a person; its dependants say what blocks them.
    for (const t of stored) if (t?.state === TaskState.NO_ROUTE_TO_QUEUE) await this.dependencies.markBlocked(t);
    // The back-off of a failed publish is due in REPUBLISH_DELAY_MS: a run arms the timer for it.
    this.wake();
  }

  /**
   * Publishes the whole batch and returns one promise per message that resolves with its confirm
   * (a window, not one round trip per task). Properties exactly as the original's task frame
   * (docs/protocol.md, Task message) plus the attempt header our replies are matched on.
   */
  private publishAll(claimed: ClaimedTask[]): Promise<PublishOutcome>[] {
    return claimed.map(({ task, document }) =>
      this.publisher.publish(this.amqp.exchange, routingKeyFor(document, task), taskMessageBody(task, document), {
        mandatory: true,
        replyTo: this.amqp.responseQueue,
        correlationId: task._id,
        priority: task.priority,
        persistent: true,
        // A runnable task with depends_on was released (or assigned) with every dependency in 200.
        headers: task.depends_on.length ? { [ATTEMPT_HEADER]: task.attempt, [DEPENDENCIES_DONE_HEADER]: true } : { [ATTEMPT_HEADER]: task.attempt },
        // A confirm that never comes (blocked connection) must not stall dispatch forever.
        timeout: CONFIRM_TIMEOUT_MS,
      }),
    );
  }

  /** Wakes the dispatcher when the earliest back-off falls due (sooner than the sweep would). */
  private async armDueTimer(): Promise<void> {
    // Without a connection nothing can be dispatched; the channel's setup wakes us when it is back.
    if (this.stopped || !this.connection.connected) return;
    // Nothing new since the last look: the timer armed then (if any) still stands.
    if (!this.dueChanged && Date.now() - this.dueCheckedAt < DUE_RECHECK_MS) return;
    this.dueChanged = false;
    this.dueCheckedAt = Date.now();
    if (this.dueTimer) clearTimeout(this.dueTimer);
    this.dueTimer = undefined;
    const due = await this.store.tasks.nextDueAt();
    if (!due || this.stopped) return;
    // A due time already past means another replica holds that row right now: look again shortly.
    const delay = Math.max(MIN_DUE_TIMER_MS, due.getTime() - Date.now());
    if (delay > MAX_DUE_TIMER_MS) return;
    this.dueTimer = setTimeout(() => {
      this.dueTimer = undefined;
      this.dueChanged = true;
      this.wake();
    }, delay);
  }
}

function taskFields(task: ClaimedTask['task'], document: ClaimedTask['document']): Record<string, unknown> {
  return { task_id: task._id, document_id: document._id, key: task.key, attempt: task.attempt };
}
