import { INestApplication } from '@nestjs/common';
import * as amqp from 'amqplib';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { join } from 'node:path';
import request from 'supertest';
import { createSqlStore } from '@dane/core/storage/sql';
import { amqpSettings, DaneConfig, DaneStore, encodeEvent, resultQueueName, schedulerWakeupQueueName, TaskState } from '@dane/core';
import { DashboardEvents } from '../src/dashboard/dashboard-events.service';
import { workerCompletes } from '../../../test/support/api-server';
import { waitFor } from '../../../test/support/polling';
import { queueState } from '../../../test/support/amqp-queues';
import { createApiTestApp } from '../../../test/support/api-test-app';
import { DashboardBrowser, openBrowser } from '../../../test/support/dashboard-browser';
import { documentBody } from '../../../test/support/fixtures';

const AMQP_URL = process.env.DANE_TEST_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';

interface SseMessage {
  type: string;
  data: Record<string, unknown>;
}

/** Reads a server-sent-events stream into `messages` as it comes (type `message` when none is named). */
class SseReader {
  readonly messages: SseMessage[] = [];
  private readonly abort = new AbortController();
  private done?: Promise<void>;

  static async open(url: string, headers: Record<string, string> = {}): Promise<SseReader> {
    const reader = new SseReader();
    const res = await fetch(url, { headers, signal: reader.abort.signal });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    reader.done = reader.pump(res.body!.getReader());
    return reader;
  }

  private async pump(body: ReadableStreamDefaultReader<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let text = '';
    try {
      for (;;) {
        const { value, done } = await body.read();
        if (done) return;
        text += decoder.decode(value, { stream: true });
        let end: number;
        while ((end = text.indexOf('\n\n')) >= 0) {
          const block = text.slice(0, end);
          text = text.slice(end + 2);
          const type = /^event: ?(.*)$/m.exec(block)?.[1] ?? 'message';
          const data = block
            .split('\n')
            .filter((l) => l.startsWith('data:'))
            .map((l) => l.replace(/^data: ?/, ''))
            .join('\n');
          if (data) this.messages.push({ type, data: JSON.parse(data) });
        }
      }
    } catch {
      // aborted
    }
  }

  async waitFor(what: string, match: (m: SseMessage) => boolean, timeoutMs = 10_000): Promise<SseMessage> {
    return (await waitFor(what, () => this.messages.find(match), timeoutMs))!;
  }

  async close(): Promise<void> {
    this.abort.abort();
    await this.done;
  }
}

/**
 * Two api replicas of one deployment (one store, one RabbitMQ exchange set of the test's own): a
 * change made through replica B shows on replica A's dashboard stream as its DANE-event, through
 * A's own auto-delete queue bound to DANE-events, which lives only while someone watches.
 */
describe('dashboard events across api replicas (real RabbitMQ, PGlite)', () => {
  const id = randomBytes(4).toString('hex');
  const KEY = `DASHEV_${id.toUpperCase()}`;
  const env: Record<string, string> = {
    DANE_RABBITMQ__HOST: '127.0.0.1',
    DANE_RABBITMQ__EXCHANGE: `DANE-exchange-dashev-${id}`,
    DANE_RABBITMQ__EVENTS_EXCHANGE: `DANE-events-dashev-${id}`,
    DANE_RABBITMQ__RESPONSE_QUEUE: `DANE-dashev-${id}-response-queue`,
    DANE_RABBITMQ__MANAGEMENT_HOST: '127.0.0.1',
    DANE_LOGGING__LEVEL: 'ERROR',
  };
  const settings = amqpSettings({
    RABBITMQ: {
      HOST: '127.0.0.1',
      PORT: 5672,
      USER: 'guest',
      PASSWORD: 'guest',
      EXCHANGE: env.DANE_RABBITMQ__EXCHANGE,
      RESPONSE_QUEUE: env.DANE_RABBITMQ__RESPONSE_QUEUE,
      EVENTS_EXCHANGE: env.DANE_RABBITMQ__EVENTS_EXCHANGE,
    },
  } as unknown as DaneConfig);
  const workerQueue = `${KEY}-worker-${id}`;
  const schedulerWakeups = schedulerWakeupQueueName(settings, '0123456789ab');
  let store: DaneStore;
  let appA: INestApplication;
  let appB: INestApplication;
  let urlA: string;
  let conn: amqp.ChannelModel;
  let management: Server;
  const readers: SseReader[] = [];
  const declared = new Set<string>();

  const eventsOfA = () => appA.get(DashboardEvents);
  /** Whether the broker has the queue now (another connection's exclusive queue counts). */
  const queueExists = async (queue: string): Promise<boolean> => (await queueState(conn, queue)) !== 'missing';
  /** A task of KEY in ERROR, registered and assigned through replica B. */
  const erroredTask = async (tid: string): Promise<{ taskId: string; documentId: string }> => {
    const documentId = (await request(appB.getHttpServer()).post('/DANE/document/').send(documentBody(tid)).expect(200)).body._id as string;
    const taskId = (await request(appB.getHttpServer()).post('/DANE/task/').send({ document_id: documentId, key: KEY }).expect(201)).body._id as string;
    await workerCompletes(store, taskId, TaskState.ERROR, 'disk full');
    return { taskId, documentId };
  };
  const openStream = async () => {
    const reader = await SseReader.open(`${urlA}/manage/events`);
    readers.push(reader);
    // Events published before A's queue is bound would pass it by.
    const queue = (await waitFor("A's dashboard events queue", async () => {
      const q = eventsOfA().queue;
      return q && (await queueExists(q)) ? q : undefined;
    }))!;
    declared.add(queue);
    return { reader, queue };
  };

  beforeAll(async () => {
    // Answers like the management API: the worker queue bound to the exchange, and the broker's
    // real server and dashboard queues of this deployment (the test broker has no management plugin).
    management = createServer((req, res) => {
      const json = (body: unknown) => void res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
      if (req.url === `/api/exchanges/%2F/${encodeURIComponent(settings.exchange)}/bindings/source`) {
        return json([{ source: settings.exchange, vhost: '/', destination: workerQueue, destination_type: 'queue', routing_key: KEY }]);
      }
      if (req.url === '/api/queues/%2F?columns=name,consumers,messages') {
        const dashboards = [appA, appB].map((app) => app.get(DashboardEvents).queue).filter((q): q is string => !!q);
        return json([
          { name: workerQueue, consumers: 1, messages: 4 },
          // A scheduler process's wake-up queue (no scheduler runs here).
          { name: schedulerWakeups, consumers: 1, messages: 0 },
          ...dashboards.map((name) => ({ name, consumers: 1, messages: 0 })),
          { name: 'someone-elses-queue', consumers: 9, messages: 9 },
        ]);
      }
      res.writeHead(404).end();
    });
    await new Promise<void>((r) => management.listen(0, '127.0.0.1', () => r()));
    env.DANE_RABBITMQ__MANAGEMENT_PORT = String((management.address() as AddressInfo).port);

    conn = await amqp.connect(AMQP_URL);
    store = await createSqlStore({ kind: 'pglite' });
    appA = await createApiTestApp(store, { env, broker: true });
    appB = await createApiTestApp(store, { env, broker: true });
    await appA.listen(0, '127.0.0.1');
    urlA = `http://127.0.0.1:${(appA.getHttpServer().address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    for (const r of readers) await r.close();
    await appA?.close();
    await appB?.close();
    await store?.close();
    await new Promise((r) => management?.close(r));
    if (conn) {
      for (const queue of [...declared, settings.responseQueue, resultQueueName(settings)]) {
        const ch = await conn.createChannel();
        ch.on('error', () => undefined);
        await ch.deleteQueue(queue).catch(() => undefined);
        await ch.close().catch(() => undefined);
      }
      const ch = await conn.createChannel();
      ch.on('error', () => undefined);
      await ch.deleteExchange(settings.exchange).catch(() => undefined);
      await ch.deleteExchange(settings.eventsExchange).catch(() => undefined);
      await ch.close().catch(() => undefined);
      await conn.close();
    }
  });

  it("shows on replica A's stream the task event of a retry made through replica B, and a snapshot with it", async () => {
    const { taskId, documentId } = await erroredTask(`DASHEV-${id}-1`);
    const { reader, queue } = await openStream();
    // (B's connection may still be coming up: the events of the task's creation can arrive now too.)
    expect(queue).toMatch(new RegExp(`^DANE-dashev-${id}-dashboard-[0-9a-f]{12}$`));

    const retried = await request(appB.getHttpServer()).post(`/DANE/task/${taskId}/retry`).expect(200);
    expect(retried.body).toMatchObject({ _id: taskId, state: String(TaskState.CREATED), msg: 'Manual retry' });

    const event = await reader.waitFor(
      `task.${KEY}.${TaskState.CREATED} of ${taskId}`,
      (m) => m.type === 'dane-event' && m.data.task_id === taskId && m.data.msg === 'Manual retry',
    );
    expect(event.data).toMatchObject({
      type: 'task',
      routing_key: `task.${KEY}.${TaskState.CREATED}`,
      task_id: taskId,
      document_id: documentId,
      key: KEY,
      state: TaskState.CREATED,
      msg: 'Manual retry',
      at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
    });
    // Snapshots stay plain `message` events, and one soon shows the retried task.
    const snapshot = await reader.waitFor('a snapshot with the retried task', (m) => {
      const keys = m.type === 'message' ? (m.data.keys as Array<{ key: string; byState: Record<string, number> }>) : [];
      return !!keys.find((k) => k.key === KEY && k.byState[String(TaskState.CREATED)] === 1);
    });
    expect(snapshot.data).toMatchObject({ states: expect.any(Array), attention: expect.any(Object) });
    // Without a watcher on B, B has no queue of its own: A's saw B's change.
    expect(appB.get(DashboardEvents).queue).toBeUndefined();
  });

  it('skips deliveries that are no DANE event, counting them, and goes on', async () => {
    const { reader } = await openStream();
    const before = eventsOfA().counters.invalid;
    const ch = await conn.createChannel();
    ch.publish(settings.eventsExchange, `task.${KEY}.${TaskState.SUCCESS}`, Buffer.from('not json'));
    ch.publish(settings.eventsExchange, 'something.else', Buffer.from('{}'));
    await ch.close();
    await waitFor('two skipped deliveries', () => eventsOfA().counters.invalid === before + 2);
    // A document registered through B comes next.
    const documentId = (
      await request(appB.getHttpServer())
        .post('/DANE/document/')
        .send(documentBody(`DASHEV-${id}-2`))
        .expect(200)
    ).body._id as string;
    const registered = await reader.waitFor('document.registered', (m) => m.type === 'dane-event' && m.data.document_id === documentId);
    expect(registered.data).toMatchObject({ type: 'document.registered', routing_key: 'document.registered', target_id: `DASHEV-${id}-2` });
    expect(reader.messages.filter((m) => m.type === 'dane-event' && m.data.routing_key === `task.${KEY}.${TaskState.SUCCESS}`)).toEqual([]);
  });

  it('cuts a burst to the newest events per batch and says how many it left out', async () => {
    const { reader } = await openStream();
    const ch = await conn.createChannel();
    const ids = Array.from({ length: 120 }, (_, i) => `burst-${id}-${String(i).padStart(3, '0')}`);
    for (const documentId of ids) {
      const { routingKey, body, properties } = encodeEvent({
        type: 'document.registered',
        document_id: documentId,
        target_id: documentId,
        creator_id: 'NISV',
        at: new Date().toISOString(),
      });
      ch.publish(settings.eventsExchange, routingKey, body, properties);
    }
    await ch.close();
    const burst = () => reader.messages.filter((m) => m.type === 'dane-event' && ids.includes(m.data.document_id as string));
    const skipped = () => reader.messages.filter((m) => m.type === 'dane-events-skipped').reduce((n, m) => n + (m.data.count as number), 0);
    await waitFor('all 120 events sent or counted as skipped', () => burst().length + skipped() === ids.length);
    expect(skipped()).toBeGreaterThan(0);
    // The newest one is always sent.
    expect(burst().at(-1)!.data.document_id).toBe(ids.at(-1));
  });

  it('has one queue however many watch, and it goes away with the last one', async () => {
    for (const r of readers.splice(0)) await r.close();
    await waitFor('no dashboard queue while nobody watches', () => eventsOfA().queue === undefined);
    for (const q of declared) await waitFor(`${q} deleted`, async () => !(await queueExists(q)));

    const first = await openStream();
    const second = await SseReader.open(`${urlA}/manage/events`);
    readers.push(second);
    await second.waitFor('a snapshot', (m) => m.type === 'message');
    expect(eventsOfA().queue).toBe(first.queue);
    await first.reader.close();
    expect(await queueExists(first.queue)).toBe(true);
    await second.close();
    await waitFor(`${first.queue} deleted with the last watcher`, async () => !(await queueExists(first.queue)));
    expect(eventsOfA().queue).toBeUndefined();
  });

  describe('in the browser', () => {
    let browser: DashboardBrowser;
    beforeAll(async () => {
      browser = await openBrowser();
    });
    afterAll(async () => {
      await browser?.close();
    });

    it('lists the retry made through replica B under Live events, newest first, and this deployment’s queues', async () => {
      const older = await erroredTask(`DASHEV-${id}-3`);
      const { taskId } = await erroredTask(`DASHEV-${id}-4`);
      await browser.page.goto(`${urlA}/manage`);
      await browser.page.locator('#conn.live').waitFor();
      const queue = (await waitFor("the page's dashboard queue", () => eventsOfA().queue))!;
      declared.add(queue);
      await waitFor(`${queue} on the broker`, () => queueExists(queue));

      await request(appB.getHttpServer()).post(`/DANE/task/${older.taskId}/retry`).expect(200);
      await browser.page.locator(`#events-list li[data-task-id="${older.taskId}"]`).waitFor();
      await request(appB.getHttpServer()).post(`/DANE/task/${taskId}/retry`).expect(200);
      const line = browser.page.locator(`#events-list li[data-task-id="${taskId}"]`);
      await line.waitFor();
      expect(await line.getAttribute('data-routing-key')).toBe(`task.${KEY}.${TaskState.CREATED}`);
      expect(await line.textContent()).toContain(`task.${KEY} → ${TaskState.CREATED}`);
      expect(await line.textContent()).toContain('Manual retry');
      expect(await line.textContent()).toContain(taskId.slice(0, 10));
      // Newest on top.
      expect(await browser.page.locator('#events-list li').first().getAttribute('data-task-id')).toBe(taskId);
      expect(await browser.page.locator('#events-empty').isHidden()).toBe(true);

      // Worker queues: the one bound to this deployment's exchange, and the server's own.
      await browser.page.locator('#worker-queues').waitFor();
      const worker = browser.page.locator(`#worker-queues tr[data-queue="${workerQueue}"]`);
      expect((await worker.locator('td').allTextContents()).map((t) => t.trim())).toEqual([workerQueue, KEY, '1', '4']);
      expect(await browser.page.locator('#worker-queues').textContent()).not.toContain('someone-elses-queue');
      const server = browser.page.locator('#server-queues');
      expect(await server.locator(`tr[data-role="response"]`).getAttribute('data-queue')).toBe(settings.responseQueue);
      expect(await server.locator(`tr[data-role="results"] td`).allTextContents()).toEqual([resultQueueName(settings), 'results', '—', '—']);
      expect(await server.locator(`tr[data-role="scheduler-wakeups"] td`).allTextContents()).toEqual([
        `DANE-dashev-${id}-scheduler-wakeups-0123456789ab`,
        'scheduler wake-ups (a scheduler process)',
        '1',
        '0',
      ]);
      expect(await server.locator(`tr[data-role="dashboard-events"]`).getAttribute('data-queue')).toBe(queue);
      expect(await browser.page.locator('#workers-where').textContent()).toBe(`exchange ${settings.exchange}`);
      mkdirSync(join(__dirname, 'artifacts'), { recursive: true });
      await browser.page.screenshot({ path: join(__dirname, 'artifacts', 'dashboard-events.png'), fullPage: true });
    });
  });
});
