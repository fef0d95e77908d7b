import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleInit } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { DiscoveryService } from '@nestjs/core';
import type { Channel } from 'amqplib';
import { Counter, Gauge } from 'prom-client';
import { AmqpConnection, amqpSettings, AmqpSettings, ManagedChannel, resultQueueName } from '@dane/core/broker';
import { DaneConfig } from '@dane/core/config';
import { TaskMetrics } from '@dane/core/metrics';
import { DANE_STORE, DaneStore, TaskStats } from '@dane/core/storage/store.port';

/** Store and broker are asked at most this often; scrapes in between are answered from the cache. */
export const SCRAPE_CACHE_MS = 5000;
/** A scrape never waits longer than this for the store or the broker. */
const BROKER_TIMEOUT_MS = 3000;

interface QueueDepth {
  queue: string;
  messages: number;
  consumers: number;
}

/**
 * Counters that services of this process already keep (`readonly counters = {…}`), exported as
 * Prometheus counters at scrape time: no hook in the services. Found by class name, so the API does
 * not depend on the scheduler and results apps; absent classes (api alone) export nothing.
 */
const COUNTER_SOURCES: ReadonlyArray<{ provider: string; metric: string; help: string; label: string }> = [
  { provider: 'DispatchService', metric: 'dane_dispatch_total', help: 'Dispatch outcomes of claimed tasks (dispatched, unroutable, publishFailed)', label: 'outcome' },
  { provider: 'ReplyConsumer', metric: 'dane_replies_total', help: 'Worker replies by what became of them (outcomes, heartbeats, malformed, unknownTask, stale)', label: 'kind' },
  { provider: 'SweeperService', metric: 'dane_sweeper_total', help: 'Lease sweeper activity (sweeps, expired, workerLost, released)', label: 'kind' },
  { provider: 'ResultConsumer', metric: 'dane_result_messages_total', help: 'Result messages from workers (stored, malformed, unknownTask)', label: 'kind' },
];
const REJECTED_REPLY_COUNTERS = ['malformed', 'unknownTask', 'stale'];
/** Entries of those `counters` that are levels, not counts: exported as gauges instead. */
const LEVELS: Readonly<Record<string, { metric: string; help: string }>> = {
  'SweeperService.stuck': { metric: 'dane_tasks_stuck', help: 'Tasks the last sweep found runnable or waiting for longer than SCHEDULER.STUCK_AFTER_SECONDS' },
};

function cached<T>(load: () => Promise<T>, ttlMs: number): () => Promise<T> {
  let value: { at: number; promise: Promise<T> } | undefined;
  return () => {
    if (!value || Date.now() - value.at >= ttlMs) {
      const promise = load();
      value = { at: Date.now(), promise };
      // A failure is not kept: the next scrape asks again.
      promise.catch(() => {
        if (value?.promise === promise) value = undefined;
      });
    }
    return value.promise;
  };
}

/**
 * The scrape-time series of `/metrics`, registered on the process's TaskMetrics registry:
 * tasks by key and state (store.tasks.countByKeyAndState(), cached 5 s), queue depth (RabbitMQ
 * management API when RABBITMQ.MANAGEMENT, else amqplib checkQueue on the response and results
 * queues over this process's own broker connection), and the services' own counters.
 */
@Injectable()
export class OpsMetricsService implements OnModuleInit, OnApplicationBootstrap {
  private readonly logger = new Logger('Metrics');
  private readonly amqp: AmqpSettings;
  private readonly rabbit: DaneConfig['RABBITMQ'];
  private readonly taskStats: () => Promise<TaskStats[]>;
  private readonly queueDepths: () => Promise<QueueDepth[]>;
  private counterSources?: Map<string, Record<string, number>>;
  private brokerChannel?: ManagedChannel;

  constructor(
    private readonly metrics: TaskMetrics,
    @Inject(DANE_STORE) private readonly store: DaneStore,
    private readonly config: ConfigService,
    private readonly discovery: DiscoveryService,
  ) {
    this.rabbit = this.config.get<DaneConfig['RABBITMQ']>('RABBITMQ') ?? {};
    this.amqp = amqpSettings({ RABBITMQ: this.rabbit } as DaneConfig);
    this.taskStats = cached(() => within(this.store.tasks.countByKeyAndState(), BROKER_TIMEOUT_MS), SCRAPE_CACHE_MS);
    this.queueDepths = cached(() => this.loadQueueDepths(), SCRAPE_CACHE_MS);
  }

  onModuleInit(): void {
    const registers = [this.metrics.registry];
    if (this.metrics.registry.getSingleMetric('dane_tasks')) return;
    const self = this;

    new Gauge({
      name: 'dane_store_up',
      help: '1 when the store answered the (cached) task count of this scrape',
      registers,
      async collect() {
        this.set(await self.taskStats().then(() => 1, () => 0));
      },
    });
    new Gauge({
      name: 'dane_tasks',
      help: `Tasks by key and state (from the store, cached ${SCRAPE_CACHE_MS / 1000} s)`,
      labelNames: ['key', 'state'],
      registers,
      async collect() {
        this.reset();
        try {
          for (const s of await self.taskStats()) this.set({ key: s.key, state: String(s.state) }, s.count);
        } catch (err) {
          self.logger.warn(JSON.stringify({ event: 'metrics_store_failed', error: err.message }));
        }
      },
    });

    // Both gauges read the same cached answer (every metric collects on its own, in registration order).
    new Gauge({
      name: 'dane_queue_messages',
      help: `Messages waiting in a RabbitMQ queue (worker queues need RABBITMQ.MANAGEMENT; cached ${SCRAPE_CACHE_MS / 1000} s)`,
      labelNames: ['queue'],
      registers,
      async collect() {
        this.reset();
        for (const q of await self.queueDepths().catch(() => [] as QueueDepth[])) this.set({ queue: q.queue }, q.messages);
      },
    });
    new Gauge({
      name: 'dane_queue_consumers',
      help: 'Consumers of a RabbitMQ queue (same source and cache as dane_queue_messages)',
      labelNames: ['queue'],
      registers,
      async collect() {
        this.reset();
        for (const q of await self.queueDepths().catch(() => [] as QueueDepth[])) this.set({ queue: q.queue }, q.consumers);
      },
    });

    for (const source of COUNTER_SOURCES) {
      new Counter({
        name: source.metric,
        help: source.help,
        labelNames: [source.label],
        registers,
        collect() {
          this.reset();
          const counters = self.countersOf(source.provider);
          if (!counters) return;
          for (const [kind, n] of Object.entries(counters)) if (!LEVELS[`${source.provider}.${kind}`] && typeof n === 'number') this.inc({ [source.label]: kind }, n);
        },
      });
    }
    for (const [path, level] of Object.entries(LEVELS)) {
      const [provider, field] = path.split('.');
      new Gauge({
        name: level.metric,
        help: level.help,
        registers,
        collect() {
          const n = self.countersOf(provider)?.[field];
          if (typeof n === 'number') this.set(n);
        },
      });
    }
    new Counter({
      name: 'dane_results_stored_total',
      help: 'Results stored from worker result messages by this process',
      registers,
      collect() {
        this.reset();
        const n = self.countersOf('ResultConsumer')?.stored;
        if (n) this.inc(n);
      },
    });
    // Rejected replies: the reply consumer's own counters join those of countRejectedReply().
    this.metrics.addRejectedRepliesSource(() => {
      const consumer = self.countersOf('ReplyConsumer');
      return consumer ? Object.fromEntries(REJECTED_REPLY_COUNTERS.map((reason) => [reason, consumer[reason] ?? 0])) : undefined;
    });
  }

  /** Without the management API, open the checkQueue channel now, so that the first scrape finds it ready. */
  onApplicationBootstrap(): void {
    if (this.rabbit.MANAGEMENT !== true) this.channel();
  }

  /** `counters` of the first provider instance of that class name in this process. */
  private countersOf(provider: string): Record<string, number> | undefined {
    if (!this.counterSources) {
      this.counterSources = new Map();
      for (const wrapper of this.discovery.getProviders()) {
        const instance = wrapper.instance as { counters?: unknown } | undefined;
        const name = instance?.constructor?.name;
        if (!name || this.counterSources.has(name) || !COUNTER_SOURCES.some((s) => s.provider === name)) continue;
        if (typeof instance.counters === 'object' && instance.counters !== null) this.counterSources.set(name, instance.counters as Record<string, number>);
      }
    }
    return this.counterSources.get(provider);
  }

  private async loadQueueDepths(): Promise<QueueDepth[]> {
    if (this.rabbit.MANAGEMENT === true) {
      try {
        return await this.managementQueues();
      } catch (err) {
        this.logger.warn(JSON.stringify({ event: 'metrics_management_failed', error: err.message }));
      }
    }
    return this.checkQueues();
  }

  private async managementQueues(): Promise<QueueDepth[]> {
    const base = `http://${this.rabbit.MANAGEMENT_HOST}:${this.rabbit.MANAGEMENT_PORT}`;
    const res = await fetch(`${base}/api/queues/${encodeURIComponent(this.amqp.vhost)}`, {
      headers: { Authorization: 'Basic ' + Buffer.from(`${this.amqp.user}:${this.amqp.password}`).toString('base64'), Accept: 'application/json' },
      signal: AbortSignal.timeout(BROKER_TIMEOUT_MS),
    });
    if (!res.ok) throw new Error(`management API answered HTTP ${res.status}`);
    const body = (await res.json()) as Array<Record<string, unknown>>;
    return body
      .filter((q) => typeof q?.name === 'string')
      .map((q) => ({ queue: q.name as string, messages: Number(q.messages ?? 0), consumers: Number(q.consumers ?? 0) }));
  }

  /** Without the management API: the server's own queues, over a broker connection this process already holds. */
  private async checkQueues(): Promise<QueueDepth[]> {
    let ch = this.channel();
    // Just (re)opening: give it a moment rather than report nothing for the next 5 s.
    for (let i = 0; !ch && this.brokerChannel && i < 10; i++) {
      await new Promise((r) => setTimeout(r, 100));
      ch = this.channel();
    }
    if (!ch) return [];
    const depths: QueueDepth[] = [];
    for (const queue of [this.amqp.responseQueue, resultQueueName(this.amqp)]) {
      try {
        const ok = await within(ch.checkQueue(queue), BROKER_TIMEOUT_MS);
        depths.push({ queue, messages: ok.messageCount, consumers: ok.consumerCount });
      } catch {
        // Not declared (yet): a 404 closes the channel, which reopens by itself.
        break;
      }
    }
    return depths;
  }

  private channel(): Channel | undefined {
    if (!this.brokerChannel) {
      const connection = this.discovery
        .getProviders()
        .map((w) => w.instance)
        .find((i): i is AmqpConnection => i instanceof AmqpConnection);
      if (!connection) return undefined;
      this.brokerChannel = connection.channel({ setup: async () => undefined });
    }
    return this.brokerChannel.current;
  }
}

function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
