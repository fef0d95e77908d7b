import { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import * as amqp from 'amqplib';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DaneClient } from '@dane/client';
import { amqpSettings, loadConfig, resultQueueName, TaskState } from '@dane/core';
import { configureApiApp } from '@dane/api';
import { DaneModule } from '../../dane/src/dane.module';
import { FilesizeWorker } from '../../../workers/filesize/filesize-worker';
import { countCell, DashboardBrowser, openBrowser } from './dashboard-browser';

const AMQP_URL = process.env.DANE_TEST_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';

/**
 * The whole system in one process (api + scheduler + results, as `npm start` runs it) with a real
 * filesize worker over RabbitMQ: the dashboard's Retry button must take a failed task to 200.
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
    DANE_RABBITMQ__MANAGEMENT: 'false',
    DANE_STORAGE__TYPE: 'pglite',
    DANE_STORAGE__DATA_DIR: "':memory:'",
    DANE_SCHEDULER__SWEEP_INTERVAL_MS: '200',
    DANE_FILESIZE_WORKER__QUEUE: `filesize-dashboard-${id}`,
    DANE_LOGGING__LEVEL: 'ERROR',
    // The page's Retry button and the client here send no API key (auth is covered by auth.e2e-spec.ts).
    DANE_AUTH__ENABLED: 'false',
  };
  let app: INestApplication;
  let worker: FilesizeWorker;
  let client: DaneClient;
  let browser: DashboardBrowser;
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
    client = new DaneClient({ baseUrl: `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}` });
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
    for (const queue of [settings.responseQueue, resultQueueName(settings), env.DANE_FILESIZE_WORKER__QUEUE]) {
      const ch = await conn.createChannel();
      await ch.deleteQueue(queue).catch(() => undefined);
      await ch.close().catch(() => undefined);
    }
    const ch = await conn.createChannel();
    await ch.deleteExchange(settings.exchange).catch(() => undefined);
    await conn.close();
    rmSync(home, { recursive: true, force: true });
  });

  it('shows the task the worker could not do, and its Retry button gets it done once the file is there', async () => {
    const media = join(home, 'late arrival.mp4');
    const doc = await client.document({ target: { id: 'LATE-1', url: pathToFileURL(media).href, type: 'Video' }, creator: { id: 'NISV', type: 'Organization' } }).register();
    await browser.page.goto(`${client.baseUrl}/manage`);

    // The file is not there yet: the worker answers 404, which waits for a person.
    const task = await doc.assign('FILESIZE');
    const row = browser.page.locator(`#attention-table tr[data-task-id="${task._id}"]`);
    await explained(task._id!, row.waitFor({ timeout: 20_000 }));
    expect(await row.getAttribute('data-state')).toBe(String(TaskState.NOT_FOUND));
    expect(await row.textContent()).toContain('No file found at source_url');

    writeFileSync(media, Buffer.alloc(2048));
    await row.locator('button[data-action="retry"]').click();
    await explained(task._id!, row.waitFor({ state: 'detached', timeout: 20_000 }));
    const until = Date.now() + 20_000;
    while ((await countCell(browser.page, 'FILESIZE', TaskState.SUCCESS)) !== '1' && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    expect(await countCell(browser.page, 'FILESIZE', TaskState.SUCCESS)).toBe('1');
    await expect(task.state()).resolves.toBe(TaskState.SUCCESS);
    expect(task.attempt).toBe(2);

    // The result came back over the broker: the document view shows it.
    await browser.page.fill('#doc-id', doc._id!);
    await browser.page.click('#doc-form button[type="submit"]');
    await browser.page.locator('#doc-results').waitFor();
    expect(await browser.page.locator('#doc-results').textContent()).toContain('"file_size": 2');
  });
});
