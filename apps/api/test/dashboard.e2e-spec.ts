import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DaneClient, Task } from '@dane/client';
import { TaskState } from '@dane/core';
import { ApiServer, startApiServer, workerCompletes } from '../../../test/support/api-server';
import { documentInput, generator } from '../../../test/support/fixtures';
import { countCell, DashboardBrowser, openBrowser } from '../../../test/support/dashboard-browser';

const SCREENSHOT = join(__dirname, 'artifacts', 'dashboard.png');
const ADMIN_TOKEN = 'dashboard-http-admin-token-0123456789';

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
    return (
      await client.assignMany(
        docs.registered.map((d) => d._id),
        key,
      )
    ).assigned.map((v) => client.asTask(v));
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
      expect(snapshot).toMatchObject({
        states: expect.arrayContaining([{ code: TaskState.ERROR, name: 'ERROR', class: 'needs_person', meaning: expect.any(String) }]),
        keys: expect.any(Array),
        attention: { total: expect.any(Number) },
      });
    });

    it('lists tasks by key and state for the CLI, refusing states that do not exist', async () => {
      const res = await fetch(`${server.url}/manage/api/tasks?state=bogus`);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { message: string }).message).toMatch(/^state must be task states \(codes or names\)/);
    });
  });

  describe('with API keys on (the cookie the page sets, the bearer token its actions send)', () => {
    let secured: ApiServer;
    let readKey: string;
    let taskId: string;
    const get = (path: string, headers: Record<string, string> = {}) => fetch(secured.url + path, { headers, signal: AbortSignal.timeout(5000) });
    const message = async (res: Response) => ((await res.json()) as { message: string }).message;

    beforeAll(async () => {
      secured = await startApiServer({ DANE_AUTH__ENABLED: 'true', DANE_ADMIN_TOKEN: ADMIN_TOKEN });
      const res = await fetch(`${secured.url}/DANE/keys/`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'dashboard viewer', role: 'read' }),
      });
      readKey = ((await res.json()) as { key: string }).key;
      const admin = new DaneClient({ baseUrl: secured.url, token: ADMIN_TOKEN });
      const task = await (await admin.document(documentInput('DASH-AUTH-1')).register()).assign('ASR');
      taskId = task._id!;
      await workerCompletes(secured.store, taskId, TaskState.ERROR, 'disk full');
    });
    afterAll(() => secured?.close());

    it('serves the page and its script without a key', async () => {
      expect((await get('/manage')).status).toBe(200);
      expect((await get('/manage/dashboard.js')).status).toBe(200);
    });

    it('refuses the dashboard data without a key', async () => {
      for (const path of ['/manage/events', '/manage/api/snapshot', '/manage/api/tasks', '/manage/api/queues', `/DANE/task/${taskId}`]) {
        const res = await get(path);
        expect([path, res.status]).toEqual([path, 401]);
        expect(await message(res)).toBe('This route needs an API key with the read role: send `Authorization: Bearer <key>`');
      }
    });

    it('reads the stream, the snapshot and /DANE GETs with the dane_key cookie the page sets', async () => {
      const cookie = { cookie: `dane_key=${encodeURIComponent(readKey)}` };
      const events = await get('/manage/events', cookie);
      expect(events.status).toBe(200);
      expect(events.headers.get('content-type')).toMatch(/^text\/event-stream/);
      await events.body!.cancel();
      expect((await get('/manage/api/snapshot', cookie)).status).toBe(200);
      expect((await get('/manage/api/tasks?state=ERROR', cookie)).status).toBe(200);
      expect(await (await get(`/DANE/task/${taskId}`, cookie)).json()).toMatchObject({ _id: taskId, state: String(TaskState.ERROR) });
    });

    it('never retries with the cookie alone; a read key as bearer token gets the 403 the page shows', async () => {
      const retry = (headers: Record<string, string>) => fetch(`${secured.url}/DANE/task/${taskId}/retry`, { method: 'POST', headers: { accept: 'application/json', ...headers } });
      const withCookie = await retry({ cookie: `dane_key=${encodeURIComponent(readKey)}` });
      expect(withCookie.status).toBe(401);
      expect(await message(withCookie)).toMatch(/^This route needs an API key/);
      // Nor the legacy GET alias, which a cross-site link could reach with the cookie.
      const legacy = await get(`/DANE/task/${taskId}/retry`, { cookie: `dane_key=${encodeURIComponent(readKey)}` });
      expect(legacy.status).toBe(401);
      expect(await message(legacy)).toBe('This route needs an API key with the operate role: send `Authorization: Bearer <key>`');
      const withReadKey = await retry({ authorization: `Bearer ${readKey}` });
      expect(withReadKey.status).toBe(403);
      expect(await message(withReadKey)).toBe('This route needs the operate role; your key has read');
      const admin = new DaneClient({ baseUrl: secured.url, token: ADMIN_TOKEN });
      expect(await admin.tasks.get(taskId)).toMatchObject({ state: String(TaskState.ERROR), msg: 'disk full' });
    });

    it('in the browser, shows the 401 alone (no "0 tasks", no empty tables) until a key is accepted, and again once it is cleared', async () => {
      const page = browser.page;
      const visibleSections = () =>
        page.locator('main > section').evaluateAll((nodes) => nodes.filter((n) => (n as unknown as { offsetParent: unknown }).offsetParent !== null).map((n) => n.id));
      await page.goto(`${secured.url}/manage`);
      await page.locator('#auth-error:not([hidden])').waitFor();
      expect(await page.locator('#auth-error-text').textContent()).toMatch(/^Reading the dashboard was refused \(401\): This route needs an API key/);
      expect(await visibleSections()).toEqual([]);
      expect(await page.locator('main').innerText()).not.toMatch(/tasks|No tasks yet|Nothing waits|Worker queues/);

      await page.fill('#api-key', readKey);
      await page.click('#key-use');
      await page.locator('#conn.live').waitFor();
      await eventually(() => countCell(page, 'ASR', TaskState.ERROR), '1');
      expect(await visibleSections()).toEqual(['throughput', 'workers', 'counts', 'attention', 'campaigns', 'live-events', 'document']);
      expect(await page.locator('#auth-error').isHidden()).toBe(true);

      await page.click('#key-clear');
      await page.locator('#auth-error:not([hidden])').waitFor();
      expect(await visibleSections()).toEqual([]);
      // What the key showed is gone, not just hidden.
      expect(await countCell(page, 'ASR', TaskState.ERROR)).toBe('');
      expect(await page.locator('#total-tasks').textContent()).toBe('–');
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
