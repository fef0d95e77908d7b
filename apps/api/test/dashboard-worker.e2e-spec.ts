import { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import * as amqp from 'amqplib';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DaneClient } from '@dane/client';
import { amqpSettings, loadConfig, resultQueueName, TaskState } from '@dane/core';
import { configureApiApp } from '@dane/api';
import { DaneModule } from '../../dane/src/dane.module';
import { FilesizeWorker } from '../../../workers/filesize/filesize-worker';
import { countCell, DashboardBrowser, openBrowser } from '../../../test/support/dashboard-browser';

const AMQP_URL = process.env.DANE_TEST_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const ADMIN_TOKEN = 'dashboard-admin-token-0123456789abcdef';
const HOLD_KEY = 'CAMPAIGNHOLD';

/**
 * The whole system in one process (api + scheduler + results, as `npm start` runs it) with a real
 * filesize worker over RabbitMQ and API keys on: the page reads with the key typed into it (the
 * dane_key cookie), and its Retry button, with an operate key, must take a failed task to 200.
 */
describe('the dashboard with a real scheduler and worker (RabbitMQ, PGlite)', () => {
  const id = randomBytes(4).toString('hex');
  const home = mkdtempSync(join(tmpdir(), 'dane-dashboard-worker-'));
  // Each run has its own exchange and queues, so parallel test files never see its messages.
  const env = {
    HOME: home,
    DANE_HOME: home,
    DANE_RABBITMQ__HOST: '127.0.0.1',
    DANE_RABBITMQ__EXCHANGE: `DANE-exchange-dashboard-${id}`,
    DANE_RABBITMQ__RESPONSE_QUEUE: `DANE-dashboard-${id}-response-queue`,
    DANE_RABBITMQ__EVENTS_EXCHANGE: `DANE-events-dashboard-${id}`,
    DANE_RABBITMQ__MANAGEMENT: 'false',
    DANE_STORAGE__TYPE: 'pglite',
    DANE_STORAGE__DATA_DIR: "':memory:'",
    DANE_SCHEDULER__SWEEP_INTERVAL_MS: '200',
    DANE_FILESIZE_WORKER__QUEUE: `filesize-dashboard-${id}`,
    DANE_LOGGING__LEVEL: 'ERROR',
    DANE_AUTH__ENABLED: 'true',
    DANE_ADMIN_TOKEN: ADMIN_TOKEN,
  };
  // A queue bound to the exchange that nobody consumes: tasks of HOLD_KEY stay in flight.
  const holdQueue = `campaign-hold-dashboard-${id}`;
  let app: INestApplication;
  let worker: FilesizeWorker;
  let client: DaneClient;
  let browser: DashboardBrowser;
  let operateKey: string;
  let readKey: string;
  /** A key made through POST /DANE/keys/ with the admin token, as `dane keys create` does. */
  const createKey = async (name: string, role: string): Promise<string> => {
    const res = await fetch(`${client.baseUrl}/DANE/keys/`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name, role }),
    });
    expect(res.status).toBe(201);
    return ((await res.json()) as { key: string }).key;
  };
  /** What the page keeps in localStorage (evaluated in the browser; this file has no DOM types). */
  const storedKey = () => browser.page.evaluate(() => (globalThis as unknown as { localStorage: { getItem(k: string): string | null } }).localStorage.getItem('dane.apiKey'));
  const useKey = async (key: string) => {
    await browser.page.fill('#api-key', key);
    await browser.page.click('#key-use');
  };
  const waitForCount = async (key: string, state: number, expected: string, timeoutMs = 20_000) => {
    const until = Date.now() + timeoutMs;
    while ((await countCell(browser.page, key, state)) !== expected && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    expect(await countCell(browser.page, key, state)).toBe(expected);
  };
  /** On a timeout, say where the task was: the page alone cannot tell a slow worker from a lost reply. */
  const explained = <T>(taskId: string, wait: Promise<T>): Promise<T> =>
    wait.catch(async (err: Error) => {
      throw new Error(`${err.message}\nthe task is now ${JSON.stringify(await client.tasks.get(taskId))}`);
    });

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({ imports: [DaneModule.forRoot({ env, cwd: home })] }).compile();
    app = moduleRef.createNestApplication({ logger: ['error'] });
    configureApiApp(app, undefined, { logRequests: false });
    await app.listen(0, '127.0.0.1');
    client = new DaneClient({ baseUrl: `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`, token: ADMIN_TOKEN });
    operateKey = await createKey('dashboard operator', 'operate');
    readKey = await createKey('dashboard viewer', 'read');
    const config = loadConfig({ env, cwd: home, baseDir: join(__dirname, '../../../workers/filesize') }).config;
    worker = new FilesizeWorker({ config, generator: { id: 'test', name: 'FILESIZE', type: 'Software', homepage: null } });
    await worker.start();
    browser = await openBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await worker?.stop(1000);
    await app?.close();
    const settings = amqpSettings(loadConfig({ env, cwd: home }).config);
    const conn = await amqp.connect(AMQP_URL);
    // The scheduler's wake-up queue is exclusive: it went with the app's connection.
    for (const queue of [settings.responseQueue, resultQueueName(settings), env.DANE_FILESIZE_WORKER__QUEUE, holdQueue]) {
      const ch = await conn.createChannel();
      await ch.deleteQueue(queue).catch(() => undefined);
      await ch.close().catch(() => undefined);
    }
    const ch = await conn.createChannel();
    await ch.deleteExchange(settings.exchange).catch(() => undefined);
    await ch.deleteExchange(settings.eventsExchange).catch(() => undefined);
    await conn.close();
    rmSync(home, { recursive: true, force: true });
  });

  it('asks for a key: without one the stream is refused and the page says why', async () => {
    await browser.page.goto(`${client.baseUrl}/manage`);
    await browser.page.locator('#auth-error:not([hidden])').waitFor();
    expect(await browser.page.locator('#conn').textContent()).toBe('needs a key');
    expect(await browser.page.locator('#auth-error-text').textContent()).toBe(
      'Reading the dashboard was refused (401): This route needs an API key with the read role: send `Authorization: Bearer <key>`. Enter an API key above.',
    );
    expect(await browser.page.locator('#key-state').textContent()).toBe('no key');
    // The refusal alone: no "0 tasks", no empty tables beside it.
    for (const section of ['throughput', 'workers', 'counts', 'attention', 'campaigns', 'live-events', 'document']) {
      expect([section, await browser.page.locator(`#${section}`).isVisible()]).toEqual([section, false]);
    }
  });

  it('with a read key, shows the counts live, but its Retry click is refused with the 403 message and changes nothing', async () => {
    await useKey(readKey);
    await browser.page.locator('#conn.live').waitFor();
    expect(await browser.page.locator('#auth-error').isHidden()).toBe(true);
    expect(await browser.page.locator('#counts').isVisible()).toBe(true);
    expect(await browser.page.locator('#key-state').textContent()).toBe(`using ${readKey.split('_').slice(0, 2).join('_')}_…`);
    expect(await storedKey()).toBe(readKey);
    const cookies = await browser.context.cookies(client.baseUrl);
    expect(cookies.find((c) => c.name === 'dane_key')).toMatchObject({ value: encodeURIComponent(readKey), path: '/', sameSite: 'Strict' });

    const media = join(home, 'read only.mp4');
    const doc = await client.document({ target: { id: 'READONLY-1', url: pathToFileURL(media).href, type: 'Video' }, creator: { id: 'NISV', type: 'Organization' } }).register();
    const task = await doc.assign('FILESIZE');
    const row = browser.page.locator(`#attention-table tr[data-task-id="${task._id}"]`);
    await explained(task._id!, row.waitFor({ timeout: 20_000 }));
    await waitForCount('FILESIZE', TaskState.NOT_FOUND, '1');
    const before = await client.tasks.get(task._id!);

    await row.locator('button[data-action="retry"]').click();
    await browser.page.locator('#auth-error:not([hidden])').waitFor();
    expect(await browser.page.locator('#auth-error-text').textContent()).toBe(
      `retry of task ${task._id!.slice(0, 10)}… was refused (403): This route needs the operate role; your key has read. Enter a key with that role above.`,
    );
    expect(await browser.page.locator('#toast').textContent()).toBe('retry failed: 403 This route needs the operate role; your key has read');
    // The banner stays while the stream goes on.
    await new Promise((r) => setTimeout(r, 1500));
    expect(await browser.page.locator('#auth-error').isVisible()).toBe(true);
    expect(await client.tasks.get(task._id!)).toEqual(before);
    expect(await row.getAttribute('data-state')).toBe(String(TaskState.NOT_FOUND));
    mkdirSync(join(__dirname, 'artifacts'), { recursive: true });
    await browser.page.screenshot({ path: join(__dirname, 'artifacts', 'dashboard-auth.png') });
    await browser.page.click('#auth-error-close');
    expect(await browser.page.locator('#auth-error').isHidden()).toBe(true);
  });

  it('shows the task the worker could not do, and its Retry button, with an operate key, gets it done once the file is there', async () => {
    // The key from before is kept in localStorage: a reload reads with it at once.
    await browser.page.goto(`${client.baseUrl}/manage`);
    await browser.page.locator('#conn.live').waitFor();
    await useKey(operateKey);
    await browser.page.locator('#conn.live').waitFor();
    expect(await storedKey()).toBe(operateKey);

    const media = join(home, 'late arrival.mp4');
    const doc = await client.document({ target: { id: 'LATE-1', url: pathToFileURL(media).href, type: 'Video' }, creator: { id: 'NISV', type: 'Organization' } }).register();

    // The file is not there yet: the worker answers 404, which waits for a person.
    const task = await doc.assign('FILESIZE');
    const row = browser.page.locator(`#attention-table tr[data-task-id="${task._id}"]`);
    await explained(task._id!, row.waitFor({ timeout: 20_000 }));
    expect(await row.getAttribute('data-state')).toBe(String(TaskState.NOT_FOUND));
    expect(await row.textContent()).toContain('No file found at source_url');
    // Live counts: the earlier read-only task and this one.
    await waitForCount('FILESIZE', TaskState.NOT_FOUND, '2');

    writeFileSync(media, Buffer.alloc(2048));
    await row.locator('button[data-action="retry"]').click();
    await explained(task._id!, row.waitFor({ state: 'detached', timeout: 20_000 }));
    await waitForCount('FILESIZE', TaskState.SUCCESS, '1');
    expect(await countCell(browser.page, 'FILESIZE', TaskState.NOT_FOUND)).toBe('1');
    await expect(task.state()).resolves.toBe(TaskState.SUCCESS);
    expect(task.attempt).toBe(2);
    expect(await browser.page.locator('#auth-error').isHidden()).toBe(true);

    // The result came back over the broker: the document view (GETs on /DANE, the cookie) shows it.
    await browser.page.fill('#doc-id', doc._id!);
    await browser.page.click('#doc-form button[type="submit"]');
    await browser.page.locator('#doc-results').waitFor();
    expect(await browser.page.locator('#doc-results').textContent()).toContain('"file_size": 2');
  });

  it('its Cancel button, with an operate key, takes a task that waits for a person to 499 and out of "Needs attention"', async () => {
    const media = join(home, 'never arrives.mp4');
    const doc = await client.document({ target: { id: 'CANCEL-1', url: pathToFileURL(media).href, type: 'Video' }, creator: { id: 'NISV', type: 'Organization' } }).register();
    const task = await doc.assign('FILESIZE');
    const row = browser.page.locator(`#attention-table tr[data-task-id="${task._id}"]`);
    await explained(task._id!, row.waitFor({ timeout: 20_000 }));
    await row.locator('button[data-action="cancel"]').click();
    await explained(task._id!, row.waitFor({ state: 'detached', timeout: 20_000 }));
    expect(await browser.page.locator('#toast').textContent()).toBe(`cancel: task ${task._id!.slice(0, 10)}… (FILESIZE) is now ${TaskState.CANCELLED} CANCELLED — Cancelled`);
    await expect(task.state()).resolves.toBe(TaskState.CANCELLED);
    await waitForCount('FILESIZE', TaskState.CANCELLED, '1');
  });

  it('shows the campaigns with their progress, and its Pause button, with an operate key, pauses one', async () => {
    const conn = await amqp.connect(AMQP_URL);
    const ch = await conn.createChannel();
    await ch.assertQueue(holdQueue, { durable: false });
    await ch.bindQueue(holdQueue, env.DANE_RABBITMQ__EXCHANGE, `#.${HOLD_KEY}`);
    await conn.close();
    const register = async (prefix: string, creator: string, n: number, withFile: boolean) => {
      const inputs = Array.from({ length: n }, (_, i) => {
        const media = join(home, `${prefix}-${i}.mp4`);
        if (withFile) writeFileSync(media, Buffer.alloc(100 + i));
        return { target: { id: `${prefix}-${i}`, url: pathToFileURL(media).href, type: 'Video' }, creator: { id: creator, type: 'Organization' } };
      });
      expect((await client.registerMany(inputs)).registered).toHaveLength(n);
    };
    await register('CAMPDONE', 'CAMPAIGN-DONE', 2, true);
    await register('CAMPHOLD', 'CAMPAIGN-HOLD', 5, false);
    const finished = await client.campaigns.create({ action: 'assign', name: 'sizes', selection: { key: 'FILESIZE', creator_id: 'CAMPAIGN-DONE' } });
    const held = await client.campaigns.create({ action: 'assign', name: 'held', max_in_flight: 2, selection: { key: HOLD_KEY, creator_id: 'CAMPAIGN-HOLD' } });
    const cell = (c: string, field: string) => browser.page.locator(`#campaigns-table tr[data-campaign-id="${c}"] td[data-field="${field}"]`);

    // The FILESIZE one runs to the end with the worker; the held one has its two tasks in flight and three pending.
    const doneRow = browser.page.locator(`#campaigns-table tr[data-campaign-id="${finished._id}"][data-status="done"]`);
    await doneRow.waitFor({ timeout: 20_000 });
    expect(await cell(finished._id, 'progress').textContent()).toBe('2 of 2 (100%)');
    expect(await cell(finished._id, 'done').textContent()).toBe('2');
    expect(await doneRow.locator('button[data-campaign-action]').evaluateAll((bs) => bs.map((b) => (b as unknown as { disabled: boolean }).disabled))).toEqual([true, true, true]);
    const heldRow = browser.page.locator(`#campaigns-table tr[data-campaign-id="${held._id}"]`);
    await browser.page.locator(`#campaigns-table tr[data-campaign-id="${held._id}"] td[data-field="in_flight"]:text-is("2 / 2")`).waitFor({ timeout: 20_000 });
    expect(await heldRow.getAttribute('data-status')).toBe('running');
    expect(await cell(held._id, 'status').textContent()).toBe('running');
    expect(await cell(held._id, 'matched').textContent()).toBe('5');
    expect(await cell(held._id, 'progress').textContent()).toBe('0 of 5 (0%)');
    expect(await heldRow.locator('td').nth(1).textContent()).toBe(HOLD_KEY);
    expect(await heldRow.locator('progress').getAttribute('max')).toBe('5');
    expect(await browser.page.locator('#campaigns-note').isHidden()).toBe(true);
    mkdirSync(join(__dirname, 'artifacts'), { recursive: true });
    await browser.page.locator('#campaigns').screenshot({ path: join(__dirname, 'artifacts', 'dashboard-campaigns.png') });

    await heldRow.locator('button[data-campaign-action="pause"]').click();
    await browser.page.locator(`#campaigns-table tr[data-campaign-id="${held._id}"][data-status="paused"]`).waitFor({ timeout: 10_000 });
    expect(await browser.page.locator('#toast').textContent()).toBe(`pause: campaign ${held._id.slice(0, 10)}… is now paused`);
    expect(await client.campaigns.get(held._id)).toMatchObject({ status: 'paused', in_flight: 2, counts: { pending: 3 } });
    expect(await heldRow.locator('button[data-campaign-action="pause"]').isDisabled()).toBe(true);
    expect(await heldRow.locator('button[data-campaign-action="resume"]').isEnabled()).toBe(true);
    expect(await browser.page.locator('#auth-error').isHidden()).toBe(true);
    await client.campaigns.cancel(held._id);
  });

  it('forgets the key with Clear: storage and cookie emptied, reads refused again', async () => {
    await browser.page.click('#key-clear');
    await browser.page.locator('#auth-error:not([hidden])').waitFor();
    expect(await browser.page.locator('#conn').textContent()).toBe('needs a key');
    expect(await browser.page.locator('#key-state').textContent()).toBe('no key');
    expect(await storedKey()).toBeNull();
    expect((await browser.context.cookies(client.baseUrl)).find((c) => c.name === 'dane_key')).toBeUndefined();
  });
});
