import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy, Optional } from '@nestjs/common';
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
  unroutableGraceRequest,
  unroutableRequest,
} from '@dane/core';
import { TaskMetrics } from '@dane/core/metrics';
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
/**
 * The earliest back-off is looked up again at most this often unless a back-off was just set
 * (a publish failure here, a retry decided by the reply consumer); the sweep's wake-up (every
 * SWEEP_INTERVAL_MS) always finds it stale. Saves one statement per dispatch run under load.
 */
const DUE_RECHECK_MS = 500;
/** Confirm window: batches claimed and published before the oldest batch's confirms are back. */
const CONFIRM_WINDOW_BATCHES = 4;

type PublishOutcome = { kind: 'confirmed' } | { kind: 'returned' } | { kind: 'failed'; reason: string };

/**
 * The outbox (architecture principle 2): claim runnable tasks in the store (→ 102, attempt + 1,
 * lease), publish each on a confirm channel with `mandatory`, then settle the ones the broker did
 * not take: returned → 422, not confirmed → runnable again. A crash between claim and publish is
 * healed by the lease. Runs when woken (store NOTIFY, reply batches, sweeps, the next due back-off).
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
  private channel?: ManagedChannel;
  /** `task id#attempt` of messages the broker returned as unroutable, until their confirm arrives. */
  private readonly returned = new Set<string>();
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
  private unsubscribe?: () => void;
  private stopped = false;
  /** When the confirm channel last (re)opened: the start of the unroutable grace window. */
  private channelOpenedAt = 0;
  readonly counters = { dispatched: 0, unroutable: 0, publishFailed: 0 };

  constructor(
    @Inject(DANE_STORE) private readonly store: DaneStore,
    @Inject(SCHEDULER_BROKER) private readonly connection: AmqpConnection,
    @Inject(SCHEDULER_AMQP_SETTINGS) private readonly amqp: AmqpSettings,
    @Inject(SCHEDULER_SETTINGS) private readonly settings: SchedulerSettings,
    private readonly dependencies: DependencyService,
    @Optional() private readonly metrics?: TaskMetrics,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.channel = this.connection.channel({
      confirm: true,
      // Topology again on every (re)connect (§3.1); the server never declares worker queues.
      setup: async (ch) => {
        await declareExchange(ch, this.amqp);
        await declareResponseQueue(ch, this.amqp);
        ch.on('return', (msg: Message) => this.onReturn(msg));
        this.channelOpenedAt = Date.now();
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
    await Promise.all([...this.settling]);
    await this.channel?.close();
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
    const ch = this.channel?.current as ConfirmChannel | undefined;
    // No channel, no claim: tasks stay runnable while the broker is away.
    if (!ch) return { claimed: 0 };
    const claimed = await this.store.tasks.claimRunnable(limit, this.settings.leaseMs);
    if (claimed.length === 0) return { claimed: 0 };
    this.metrics?.claimed(claimed);
    this.unconfirmed += claimed.length;
    // Resolves once every message is written (waiting for the socket when its buffer is full).
    const pending = await this.publishAll(ch, claimed);
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
        published.push({ id: task._id, attempt: task.attempt });
        this.metrics?.dispatched(task);
        if (debug) this.logger.debug(JSON.stringify({ event: 'task_dispatched', ...taskFields(task, document), routing_key: routingKeyFor(document, task) }));
      } else if (outcome.kind === 'returned' && now.getTime() - this.channelOpenedAt < this.settings.unroutableGraceMs) {
        settle.push(unroutableGraceRequest(task, now, REPUBLISH_DELAY_MS));
        this.logger.warn(JSON.stringify({ event: 'task_unroutable_grace', ...taskFields(task, document), routing_key: routingKeyFor(document, task) }));
      } else if (outcome.kind === 'returned') {
        this.counters.unroutable++;
        settle.push(unroutableRequest(task));
        this.logger.warn(JSON.stringify({ event: 'task_unroutable', ...taskFields(task, document), routing_key: routingKeyFor(document, task) }));
      } else {
        this.counters.publishFailed++;
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
   * (a window, not one round trip per task). Properties exactly as §3.2 plus the attempt header our
   * replies are matched on.
   */
  private async publishAll(ch: ConfirmChannel, claimed: ClaimedTask[]): Promise<Promise<PublishOutcome>[]> {
    const pending: Promise<PublishOutcome>[] = [];
    const settles: Array<(outcome: PublishOutcome) => void> = [];
    // One timer for the batch: whatever is not confirmed by then failed.
    const timer = setTimeout(() => settles.forEach((s) => s({ kind: 'failed', reason: 'no publisher confirm' })), CONFIRM_TIMEOUT_MS);
    for (const { task, document } of claimed) {
      const returnKey = `${task._id}#${task.attempt}`;
      let settle!: (outcome: PublishOutcome) => void;
      pending.push(
        new Promise<PublishOutcome>((resolve) => {
          let done = false;
          settle = (outcome) => {
            if (done) return;
            done = true;
            resolve(this.returned.delete(returnKey) && outcome.kind === 'confirmed' ? { kind: 'returned' } : outcome);
          };
        }),
      );
      settles.push(settle);
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
    void Promise.all(pending).then(() => clearTimeout(timer));
    return pending;
  }

  private onReturn(msg: Message): void {
    const id = msg.properties.correlationId;
    const attempt = msg.properties.headers?.[ATTEMPT_HEADER];
    if (typeof id === 'string') this.returned.add(`${id}#${attempt}`);
  }

  /** Wakes the dispatcher when the earliest back-off falls due (sooner than the sweep would). */
  private async armDueTimer(): Promise<void> {
    // Without a channel nothing can be dispatched; the channel's setup wakes us when it is back.
    if (this.stopped || !this.channel?.current) return;
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
