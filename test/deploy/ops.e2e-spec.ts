import { INestApplication } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import * as amqp from 'amqplib';
import { DaneConfigModule, DaneStore, StorageModule } from '@dane/core';
import { MetricsServerModule, TaskMetrics } from '@dane/core/metrics';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSqlStore } from '@dane/core/storage/sql';
import { ApiModule, configureApiApp } from '@dane/api';
import { ResultsModule } from '@dane/results';
import { SchedulerModule } from '@dane/scheduler';
import { createApiTestApp } from '../support/api-test-app';
import { freePort } from '../support/net';
import { AMQP_URL, assigner, newDocument, publishRawReply, storeOf, TestBroker, testEnv, TestWorker, waitFor, waitForState } from '../support/scheduler-harness';

/** One sample of the exposition, e.g. value(text, 'dane_tasks', {key: 'X', state: '200'}). */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[3] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[4]);
  }
  return undefined;
}

/** Publishes raw bytes to the results queue, as anything on the network could. */
async function publishRawResult(broker: TestBroker, content: string): Promise<void> {
  const conn = await amqp.connect(AMQP_URL);
  const ch = await conn.createConfirmChannel();
  ch.sendToQueue(broker.resultQueue, Buffer.from(content), { persistent: true });
  await ch.waitForConfirms();
  await conn.close();
}

describe('operations: /metrics and terminus probes', () => {
  describe('single-machine mode with tasks running', () => {
    const broker = new TestBroker('ops');
    let app: INestApplication;
    let store: DaneStore;
    let worker: TestWorker;
    const KEY = `METRICS${broker.id}`.toUpperCase();

    beforeAll(async () => {
      const env: Record<string, string> = {
        ...testEnv(broker, { kind: 'pglite' }),
        DANE_RABBITMQ__MANAGEMENT: 'false',
        DANE_AUTH__ENABLED: 'false',
        DANE_AUTH__RATE_LIMIT_PER_MINUTE: '0',
        DANE_SCHEDULER__MAX_RETRIES: '3',
      };
      const moduleRef = await Test.createTestingModule({
        imports: [
          DaneConfigModule.forRoot({ env, cwd: env.DANE_HOME }),
          StorageModule.forRoot({ events: true }),
          ApiModule.forRoot({ broker: true }),
          SchedulerModule,
          ResultsModule,
        ],
      }).compile();
      app = moduleRef.createNestApplication({ logger: ['error'] });
      configureApiApp(app, undefined, { logRequests: false });
      await app.init();
      store = storeOf(app as never);
      // 200 for most; a task whose args ask for it fails once with 503 (retried), then succeeds.
      worker = await new TestWorker(broker, KEY, (r) => {
        const flaky = (r.body.task as { args?: { flaky?: boolean } }).args?.flaky;
        const seen = worker.tasksReceived(r.body.task._id).length;
        return flaky && seen === 1 ? { state: 503, message: 'busy' } : { state: 200, message: 'done' };
      }).start();
    });

    afterAll(async () => {
      await worker?.stop();
      await app?.close();
      await broker.cleanup();
    });

    it('exposes tasks by key and state, dispatch latency, task duration, retries, rejected replies and queue depth', async () => {
      const assign = assigner(app as never);
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) ids.push(await assign((await newDocument(store))._id, KEY));
      ids.push(await assign((await newDocument(store))._id, KEY, { args: { flaky: true } }));
      for (const id of ids) await waitForState(store, id, 200);
      await publishRawReply(broker, 'not json at all', { correlationId: 'nope' });
      await publishRawResult(broker, 'not json either');

      // One registry in the process: the scheduler's and the results intake's counters show on the API's /metrics.
      const http = () => request(app.getHttpServer());
      const text = (await waitFor('the rejected reply and result message in /metrics', async () => {
        const res = await http().get('/metrics').expect(200);
        const reply = sample(res.text, 'dane_replies_rejected_total', { reason: 'malformed' }) ?? 0;
        const result = sample(res.text, 'dane_result_messages_total', { kind: 'malformed' }) ?? 0;
        return reply >= 1 && result >= 1 ? res.text : undefined;
      })) as string;
      expect((await http().get('/metrics')).headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);

      // The task gauge is cached for 5 s; the first scrape above came after every task was done.
      expect(sample(text, 'dane_tasks', { key: KEY, state: '200' })).toBe(4);
      expect(sample(text, 'dane_store_up')).toBe(1);
      expect(sample(text, 'dane_dispatch_latency_seconds_count')).toBeGreaterThanOrEqual(5);
      expect(sample(text, 'dane_task_duration_seconds_count', { key: KEY, state: '200' })).toBe(4);
      // Every attempt's outcome is timed: the flaky task's first attempt ended in 503.
      expect(sample(text, 'dane_task_duration_seconds_count', { key: KEY, state: '503' })).toBe(1);
      expect(sample(text, 'dane_task_retries_total', { key: KEY })).toBe(1);
      expect(sample(text, 'dane_dispatch_total', { outcome: 'dispatched' })).toBeGreaterThanOrEqual(5);
      expect(sample(text, 'dane_replies_total', { kind: 'outcomes' })).toBeGreaterThanOrEqual(5);
      expect(sample(text, 'dane_results_stored_total')).toBe(0);
      // The store publishes its writes' events (StorageModule.forRoot({ events: true })), counted on the same registry.
      expect(sample(text, 'dane_events_total', { type: 'task', outcome: 'confirmed' })).toBeGreaterThanOrEqual(1);
      expect(sample(text, 'dane_sweeper_total', { kind: 'sweeps' })).toBeGreaterThanOrEqual(1);
      expect(sample(text, 'dane_sweeper_total', { kind: 'stuck' })).toBeUndefined();
      expect(sample(text, 'dane_tasks_stuck')).toBe(0);
      // Without the management API: the server's own queues over its broker connection.
      expect(sample(text, 'dane_queue_messages', { queue: broker.responseQueue })).toBe(0);
      expect(sample(text, 'dane_queue_consumers', { queue: broker.responseQueue })).toBeGreaterThanOrEqual(1);
      expect(text).toMatch(/^dane_process_cpu_user_seconds_total /m);
    });

    it('wires the modules explicitly: one broker and one metrics module, and only config and the store global', () => {
      const modules = [...app.get(ModulesContainer).values()];
      const named = (name: string) => modules.filter((m) => m.metatype.name === name);
      expect(named('DaneBrokerModule')).toHaveLength(1);
      expect(named('TaskMetricsModule')).toHaveLength(1);
      // Nest's own core and discovery, @nestjs/config, and the store the root picked (StorageModule.forRoot).
      const globals = modules.filter((m) => m.isGlobal).map((m) => m.metatype.name);
      expect(globals.sort()).toEqual(['ConfigHostModule', 'ConfigModule', 'DaneConfigModule', 'DiscoveryModule', 'InternalCoreModule', 'StorageModule']);
    });

    it('answers the terminus probes with the broker connection of this process', async () => {
      const http = () => request(app.getHttpServer());
      const ready = await http().get('/health/ready').expect(200);
      expect(ready.body).toMatchObject({ status: 'ok', info: { database: { status: 'up' }, messagequeue: { status: 'up' } } });
      expect((await http().get('/health/live').expect(200)).body.status).toBe('ok');
      // The DANE routes keep their shapes (docs/protocol.md, REST API).
      expect((await http().get('/ready').expect(200)).body).toEqual({ database: '200 OK', messagequeue: '200 OK' });
      expect((await http().get('/health').expect(200)).text).toBe('');
    });
  });

  describe('the api alone', () => {
    it('reports ready while the store answers and 503 once it is gone, in both shapes', async () => {
      const store = await createSqlStore({ kind: 'pglite' });
      let brokerUp = true;
      const app = await createApiTestApp(store, { env: { DANE_AUTH__ENABLED: 'true' }, brokerHealth: { check: async () => brokerUp } });
      try {
        const http = () => request(app.getHttpServer());
        expect((await http().get('/health/ready').expect(200)).body.status).toBe('ok');
        // Open without an API key, like /health: scrapers and probes carry none.
        const metrics = await http().get('/metrics').expect(200);
        expect(metrics.text).toMatch(/^# TYPE dane_tasks gauge$/m);
        expect(metrics.text).toMatch(/^# TYPE dane_dispatch_latency_seconds histogram$/m);
        // No scheduler in this process: its counters are simply absent.
        expect(sample(metrics.text, 'dane_dispatch_total', { outcome: 'dispatched' })).toBeUndefined();

        brokerUp = false;
        const down = await http().get('/health/ready').expect(503);
        expect(down.body).toMatchObject({ status: 'error', error: { messagequeue: { status: 'down' } }, info: { database: { status: 'up' } } });
        expect((await http().get('/ready').expect(503)).body).toEqual({ database: '200 OK', messagequeue: '502 Bad Gateway' });
        brokerUp = true;

        await store.close();
        const gone = await http().get('/health/ready').expect(503);
        expect(gone.body).toMatchObject({ status: 'error', error: { database: { status: 'down' } } });
        expect((await http().get('/ready').expect(503)).body.database).toBe('502 Bad Gateway');
        // Liveness does not depend on the store; the metrics say the store is down.
        await http().get('/health/live').expect(200);
        await http().get('/health').expect(200);
        // The task counts are cached for 5 s: the gauge says the store is down once the cache ran out.
        await waitFor('dane_store_up 0', async () => sample((await http().get('/metrics').expect(200)).text, 'dane_store_up') === 0, 12_000, 500);
      } finally {
        await app.close().catch(() => undefined);
      }
    });
  });

  it('puts the ids a request is about on res.locals.logFields for the request log', async () => {
    const store = await createSqlStore({ kind: 'pglite' });
    const app = await createApiTestApp(store);
    const seen: Array<{ path: string; fields: unknown }> = [];
    app.getHttpServer().on('request', (req: { url: string }, res: { locals?: { logFields?: unknown }; on(e: string, f: () => void): void }) => {
      res.on('finish', () => seen.push({ path: req.url, fields: res.locals?.logFields }));
    });
    try {
      const http = () => request(app.getHttpServer());
      const doc = (
        await http()
          .post('/DANE/document/')
          .send({ target: { id: 'OPS1', url: 'http://example.com/a.mp4', type: 'Video' }, creator: { id: 'NISV', type: 'Organization' } })
          .expect(200)
      ).body;
      const task = (await http().post('/DANE/task/').send({ document_id: doc._id, key: 'OPSKEY' }).expect(201)).body;
      await http().get(`/DANE/task/${task._id}`).expect(200);
      await http().get(`/DANE/document/${doc._id}`).expect(200);
      await waitFor('four request logs', () => seen.length >= 4, 5000);
      expect(seen.map((s) => s.fields)).toEqual([{ document_id: doc._id }, { document_id: doc._id, task_id: task._id }, { task_id: task._id }, { document_id: doc._id }]);
    } finally {
      await app.close();
      await store.close();
    }
  });

  it('MetricsServerModule serves /metrics on METRICS.PORT for processes without the API', async () => {
    const port = await freePort();
    const home = mkdtempSync(join(tmpdir(), 'dane-metrics-home-'));
    const moduleRef = await Test.createTestingModule({
      imports: [DaneConfigModule.forRoot({ env: { DANE_HOME: home, DANE_METRICS__PORT: String(port), DANE_METRICS__HOST: '127.0.0.1' }, cwd: home }), MetricsServerModule],
    }).compile();
    await moduleRef.init();
    try {
      moduleRef.get(TaskMetrics).observeTaskDuration('K', 200, 1500);
      const res = await fetch(`http://127.0.0.1:${port}/metrics`);
      expect(res.status).toBe(200);
      expect(sample(await res.text(), 'dane_task_duration_seconds_count', { key: 'K', state: '200' })).toBe(1);
      expect((await fetch(`http://127.0.0.1:${port}/other`)).status).toBe(404);
    } finally {
      await moduleRef.close();
    }
    await expect(fetch(`http://127.0.0.1:${port}/metrics`)).rejects.toThrow();
  });

  it('TaskMetrics hooks are safe to call in any order', () => {
    const m = new TaskMetrics();
    m.dispatched({ _id: 'a', key: 'K', attempt: 1 });
    m.claimed([{ task: { _id: 'a', key: 'K', attempt: 1 } }]);
    m.dispatched({ _id: 'a', key: 'K', attempt: 1 });
    m.finished({ _id: 'a', key: 'K', attempt: 1 }, 200, 'succeeded');
    m.finished({ _id: 'b', key: 'K', attempt: 1, updated_at: 'garbage' }, 503, 'retry_scheduled');
    m.countRejectedReply('malformed');
    return m.exposition().then((text) => {
      expect(sample(text, 'dane_dispatch_latency_seconds_count')).toBe(1);
      expect(sample(text, 'dane_task_duration_seconds_count', { key: 'K', state: '200' })).toBe(1);
      expect(sample(text, 'dane_task_retries_total', { key: 'K' })).toBe(1);
      expect(sample(text, 'dane_replies_rejected_total', { reason: 'malformed' })).toBe(1);
    });
  });
});
