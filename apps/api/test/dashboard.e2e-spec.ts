import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DaneClient, Task } from '@dane/client';
import { TaskState } from '@dane/core';
import { ApiServer, startApiServer, workerCompletes } from '../../../libs/client-sdk/test/api-server';
import { documentInput, generator } from '../../../libs/client-sdk/test/fixtures';
import { countCell, DashboardBrowser, openBrowser } from './dashboard-browser';

const SCREENSHOT = join(__dirname, 'artifacts', 'dashboard.png');

/** Polls `read` until it returns `expected` (the page updates once a second). */
async function eventually<T>(read: () => Promise<T>, expected: T, timeoutMs = 8000): Promise<void> {
  const until = Date.now() + timeoutMs;
  let last: T = await read();
  while (last !== expected && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 100));
    last = await read();
  }
  expect(last).toBe(expected);
}

describe('the dashboard at /manage (real API, PGlite, headless Chromium)', () => {
  let server: ApiServer;
  let client: DaneClient;
  let browser: DashboardBrowser;
  const assign = async (prefix: string, key: string, n: number): Promise<Task[]> => {
    const docs = await client.registerMany(Array.from({ length: n }, (_, i) => documentInput(`${prefix}-${i}`)));
    return (await client.assignMany(docs.registered.map((d) => d._id), key)).assigned.map((v) => client.asTask(v));
  };

  beforeAll(async () => {
    // Worker statistics off: the page must show the API's 503 message for them.
    server = await startApiServer({ DANE_RABBITMQ__MANAGEMENT: 'false' });
    client = new DaneClient({ baseUrl: server.url });
    browser = await openBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  describe('over plain HTTP', () => {
    it('serves the page at /manage and /manage/ with a same-origin policy', async () => {
      for (const path of ['/manage', '/manage/']) {
        const res = await fetch(server.url + path);
        expect(res.status).toBe(200);
        expect(res.headers.get('content-type')).toMatch(/^text\/html/);
        expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
        expect(await res.text()).toContain('<script src="/manage/dashboard.js"></script>');
      }
      expect((await fetch(`${server.url}/manage/dashboard.js`)).headers.get('content-type')).toMatch(/^text\/javascript/);
    });

    it('streams snapshots as server-sent events', async () => {
      const res = await fetch(`${server.url}/manage/events`, { signal: AbortSignal.timeout(5000) });
      expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
      const reader = res.body!.getReader();
      let text = '';
      while (!/\n\n/.test(text)) text += new TextDecoder().decode((await reader.read()).value);
      await reader.cancel();
      const snapshot = JSON.parse(/^data: (.*)$/m.exec(text)![1]);
      expect(snapshot).toMatchObject({ states: expect.arrayContaining([{ code: TaskState.ERROR, name: 'ERROR', class: 'needs_person', meaning: expect.any(String) }]), keys: expect.any(Array), attention: { total: expect.any(Number) } });
    });

    it('lists tasks by key and state for the CLI, refusing states that do not exist', async () => {
      const res = await fetch(`${server.url}/manage/api/tasks?state=bogus`);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { message: string }).message).toMatch(/^state must be task states \(codes or names\)/);
    });
  });

  describe('in the browser', () => {
    let tasks: Task[];

    beforeAll(async () => {
      tasks = await assign('DASH', 'ASR', 3);
      await browser.page.goto(`${server.url}/manage/`);
      await browser.page.locator('#conn.live').waitFor();
    });

    it('shows the task counts by key and state', async () => {
      await eventually(() => countCell(browser.page, 'ASR', TaskState.CREATED), '3');
      expect(await countCell(browser.page, 'ASR', 'total')).toBe('3');
      expect(await browser.page.locator('#counts-table thead').textContent()).toContain(`${TaskState.CREATED} CREATED`);
    });

    it('updates the counts live as workers complete tasks, with throughput and its sparkline', async () => {
      // Marks this page load: a reload would lose it.
      await browser.page.evaluate(() => ((globalThis as unknown as { loadedOnce: boolean }).loadedOnce = true));
      await workerCompletes(server.store, tasks[0]._id!, TaskState.SUCCESS, 'Success');
      await workerCompletes(server.store, tasks[1]._id!, TaskState.SUCCESS, 'Success');
      await eventually(() => countCell(browser.page, 'ASR', TaskState.SUCCESS), '2');
      expect(await countCell(browser.page, 'ASR', TaskState.CREATED)).toBe('1');
      expect(await browser.page.evaluate(() => (globalThis as unknown as { loadedOnce?: boolean }).loadedOnce)).toBe(true);
      const rate = Number(await browser.page.locator('#rate').textContent());
      expect(rate).toBeGreaterThan(0);
      expect(Number(await browser.page.locator('#sparkline').getAttribute('data-samples'))).toBeGreaterThan(0);
      expect(await browser.page.locator('#sparkline polyline').getAttribute('points')).toMatch(/^[\d.]+,[\d.]+( [\d.]+,[\d.]+)*$/);
    });

    it('lists a failed task and its Retry button takes it out of 500', async () => {
      const [failing] = await assign('FAIL', 'DOWNLOAD', 1);
      await workerCompletes(server.store, failing._id!, TaskState.ERROR, 'disk full');
      const row = browser.page.locator(`#attention-table tr[data-task-id="${failing._id}"]`);
      await row.waitFor();
      expect(await row.textContent()).toContain('disk full');
      expect(await row.textContent()).toContain(`${TaskState.ERROR} ERROR`);
      await eventually(() => countCell(browser.page, 'DOWNLOAD', TaskState.ERROR), '1');

      await row.locator('button[data-action="retry"]').click();
      await browser.page.locator('#toast.show').waitFor();
      expect(await browser.page.locator('#toast').textContent()).toContain(`is now ${TaskState.CREATED} CREATED — Manual retry`);
      await row.waitFor({ state: 'detached' });
      await eventually(() => countCell(browser.page, 'DOWNLOAD', TaskState.CREATED), '1');
      expect(await countCell(browser.page, 'DOWNLOAD', TaskState.ERROR)).toBe('');
      // No scheduler runs here, so 201 is where it stays; with one it would go on to 102 and 200.
      await expect(failing.state()).resolves.toBe(TaskState.CREATED);
      expect(failing.msg).toBe('Manual retry');
    });

    it('shows a document with its tasks and results', async () => {
      const [task] = await assign('DOCVIEW', 'FILESIZE', 1);
      await client.result(generator, { file_size: 12.5, unit: 'KB' }).save(task._id!);
      await browser.page.fill('#doc-id', task.document_id!);
      await browser.page.click('#doc-form button[type="submit"]');
      const taskRow = browser.page.locator(`#doc-tasks tr[data-task-id="${task._id}"]`);
      await taskRow.waitFor();
      expect(await taskRow.textContent()).toContain(`FILESIZE${TaskState.CREATED} CREATED`);
      expect(await browser.page.locator('#doc-view').textContent()).toContain('DOCVIEW-0 (Video)');
      expect(await browser.page.locator('#doc-results').textContent()).toContain('"file_size": 12.5');
    });

    it('says why worker queues cannot be shown when the management API is off', async () => {
      await browser.page.locator('#workers-view.error').waitFor();
      expect(await browser.page.locator('#workers-view').textContent()).toMatch(/^503: Worker statistics need the RabbitMQ management API, and RABBITMQ\.MANAGEMENT is false/);
    });

    it('saves a screenshot', async () => {
      // Something for the "Needs attention" list to show.
      await workerCompletes(server.store, tasks[2]._id!, TaskState.ERROR_PROXY, 'Source answered HTTP 502');
      const [blocked] = await assign('SHOT', 'ASR', 1);
      await workerCompletes(server.store, blocked._id!, TaskState.ERROR, 'Unhandled worker error: out of memory');
      await browser.page.locator(`#attention-table tr[data-task-id="${blocked._id}"]`).waitFor();
      mkdirSync(join(__dirname, 'artifacts'), { recursive: true });
      await browser.page.screenshot({ path: SCREENSHOT, fullPage: true });
      console.log(`dashboard screenshot: ${SCREENSHOT}`);
    });
  });
});
