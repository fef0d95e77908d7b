import { Logger, OnModuleInit } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { AmqpConnection } from '@golevelup/nestjs-rabbitmq';
import { Gauge } from 'prom-client';
import { checkQueues, QueueCount } from '@dane/core/broker';
import { within } from '@dane/core/util/within';
import { TaskMetrics } from '@dane/core/metrics';
import type { NeedsPersonCount } from '@dane/core/lifecycle/needs-person';
import { DaneStore, TaskStats } from '@dane/core/storage/store.port';
import { AmqpSettings, DaneConfig, amqpSettings, resultQueueName } from '@dane/protocol';

/** Store and broker are asked at most this often; scrapes in between are answered from the cache. */
const SCRAPE_CACHE_MS = 5000;
/** A scrape never waits longer than this for the store or the broker. */
const BROKER_TIMEOUT_MS = 3000;

type QueueDepth = QueueCount;

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
 * queues over this process's own broker connection). The flow counters (dispatch, replies, sweeps,
 * results, events) are FlowMetrics, kept by the services that count in whichever process hosts them.
 * Built by OpsModule.forRoot, with the broker connection when the API has one (`broker: true`).
 */
export class OpsMetricsService implements OnModuleInit {
  private readonly logger = new Logger('Metrics');
  private readonly amqp: AmqpSettings;
  private readonly rabbit: DaneConfig['RABBITMQ'];
  private readonly taskStats: () => Promise<TaskStats[]>;
  private readonly needingPerson: () => Promise<NeedsPersonCount[]>;
  private readonly queueDepths: () => Promise<QueueDepth[]>;

  constructor(
    private readonly metrics: TaskMetrics,
    private readonly store: DaneStore,
    private readonly config: ConfigService,
    private readonly amqpConnection?: AmqpConnection,
  ) {
    this.rabbit = this.config.get<DaneConfig['RABBITMQ']>('RABBITMQ') ?? {};
    this.amqp = amqpSettings({ RABBITMQ: this.rabbit } as DaneConfig);
    this.taskStats = cached(() => within(this.store.tasks.countByKeyAndState(), BROKER_TIMEOUT_MS), SCRAPE_CACHE_MS);
    this.needingPerson = cached(() => within(this.store.tasks.countNeedingPerson(), BROKER_TIMEOUT_MS), SCRAPE_CACHE_MS);
    this.queueDepths = cached(() => this.loadQueueDepths(), SCRAPE_CACHE_MS);
  }

  onModuleInit(): void {
    const registers = [this.metrics.registry];
    if (this.metrics.registry.getSingleMetric('dane_tasks')) return;
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- prom-client calls collect() with the gauge as `this`
    const self = this;

    new Gauge({
      name: 'dane_store_up',
      help: '1 when the store answered the (cached) task count of this scrape',
      registers,
      async collect() {
        this.set(
          await self.taskStats().then(
            () => 1,
            () => 0,
          ),
        );
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

    new Gauge({
      name: 'dane_tasks_needing_person',
      help: `Tasks that no automatic path will move again, by key: manual states, retries spent, 412 blocked by such a task (from the store, cached ${SCRAPE_CACHE_MS / 1000} s)`,
      labelNames: ['key'],
      registers,
      async collect() {
        this.reset();
        try {
          for (const c of await self.needingPerson()) this.set({ key: c.key }, c.count);
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
    return body.filter((q) => typeof q?.name === 'string').map((q) => ({ queue: q.name as string, messages: Number(q.messages ?? 0), consumers: Number(q.consumers ?? 0) }));
  }

  /** Without the management API: the server's own queues, over this process's broker connection. */
  private async checkQueues(): Promise<QueueDepth[]> {
    if (!this.amqpConnection) return [];
    return checkQueues(this.amqpConnection, [this.amqp.responseQueue, resultQueueName(this.amqp)], BROKER_TIMEOUT_MS);
  }
}
