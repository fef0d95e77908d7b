import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createDocument, taskId } from '@dane/protocol';
import { ApiServer, startApiServer } from '../../test/support/api-server';
import { DaneTestServer } from '../../test/support/dane-test-server';
import { sendJson, startHttpFixture, type HttpFixture } from '../../test/support/http-fixture';
import { buildWorkers } from '../../test/support/dane-processes';
import { NodeProcess, REPO_ROOT } from '../../test/support/node-process';
import { waitFor } from '../../test/support/polling';

/** `node dist/workers/filesize/main.js` as a process: queue mode with SIGTERM, and batch mode. */
describe('filesize worker process', () => {
  let server: DaneTestServer;
  let http: HttpFixture;
  let api: ApiServer;
  let cwd: string;
  let headStarted = false;
  let media: string;
  const start = (args: string[], env: Record<string, string>) =>
    new NodeProcess('filesize', join(REPO_ROOT, 'dist', 'workers', 'filesize', 'main.js'), env, cwd, { args, baseEnv: 'inherit' });
  const localDoc = () => createDocument({ target: { id: 'local', url: pathToFileURL(media).href, type: 'Video' }, creator: { id: 'test', type: 'Organization' } });

  beforeAll(async () => {
    buildWorkers();
    server = await DaneTestServer.start('fs-proc');
    api = await startApiServer();
    cwd = mkdtempSync(join(tmpdir(), 'dane-filesize-proc-'));
    media = join(cwd, 'clip.bin');
    writeFileSync(media, Buffer.alloc(3 * 1024 * 1024));
    http = await startHttpFixture(async (req, res) => {
      if (req.url === '/slow.mp4') {
        headStarted = true;
        await new Promise((r) => setTimeout(r, 1500));
        res.writeHead(200, { 'content-length': String(2048) }).end();
        return;
      }
      sendJson(res, 404, { message: `No such file ${req.url}` });
    });
  }, 120_000);
  afterAll(async () => {
    await http.close();
    await api?.close();
    await server.cleanup();
    rmSync(cwd, { recursive: true, force: true });
  });

  it('on SIGTERM stops taking tasks, finishes the running one, replies and exits 0', async () => {
    const queue = server.queue('filesize');
    const worker = start([], server.env({ DANE_FILESIZE_WORKER__QUEUE: queue }));
    try {
      await worker.waitForEvent('worker_started', (e) => e.event === 'worker_started', 15_000);
      const document = server.document(`${http.url}/slow.mp4`);
      const id = await server.publishTask({ document, key: 'FILESIZE' });
      await waitFor('HEAD request', () => headStarted, 10_000);
      worker.kill('SIGTERM');
      await worker.waitForEvent('worker_stopping', (e) => e.event === 'worker_stopping', 15_000);
      await server.publishTask({ key: 'FILESIZE' }); // arrives after SIGTERM: must stay queued

      expect((await worker.exited).code).toBe(0);
      expect(server.finalRepliesFor(id).map((r) => r.body)).toEqual([{ state: 200, message: 'Success: 2 KB' }]);
      const result = await server.result((r) => r.body.task_id === id);
      expect(result.body).toMatchObject({ payload: { file_size: 2, unit: 'KB' }, generator: { id: 'unknown', name: queue, type: 'Software' } });
      expect(worker.events((e) => e.event === 'worker_stopped').length > 0).toBe(true);
      expect(await server.ready(queue)).toBe(1);
    } finally {
      worker.kill('SIGKILL');
    }
  });

  it('runs in batch mode with --document: records the task and result in the store, reports unknown ids, skips it the second time', async () => {
    writeFileSync(join(cwd, 'config.yml'), 'FILESIZE_WORKER:\n  UNIT: MB\n');
    const missing = 'f'.repeat(40);
    const doc = localDoc();
    await api.store.documents.insert(doc);
    const args = ['--document', doc._id, missing, '--api-url', `${api.url}/DANE/`];
    const worker = start(args, server.env());
    expect((await worker.exited).code).toBe(0);
    const messages = worker.events().map((e) => e.message);
    expect(messages).toContain(`Processing ${doc._id} (1/1)`);
    expect(messages).toContain(`Unknown documents: ${missing}`);
    expect(messages).toContain('Ran on 1 document: 1 processed, 0 skipped, 0 failed');
    expect(await api.store.tasks.findById(taskId(doc._id, 'FILESIZE'))).toMatchObject({ state: 200, msg: 'Success: 3 MB', attempt: 1 });
    const results = await api.store.results.find({ documentId: doc._id, taskKey: 'FILESIZE' }, { page: 1, size: 10 });
    expect(results.items.map((r) => r.payload)).toEqual([{ file_size: 3, unit: 'MB' }]);

    const again = start(args, server.env());
    expect((await again.exited).code).toBe(0);
    expect(again.events().map((e) => e.message)).toContain('Ran on 1 document: 0 processed, 1 skipped, 0 failed');
  });

  it('exits 2 when no id of a --documents-list names a document, naming them', async () => {
    const list = join(cwd, 'docs.json');
    writeFileSync(list, JSON.stringify([{ id: 'a'.repeat(40) }, 'b'.repeat(40)]));
    const worker = start(['--documents-list', list, '--api-url', `${api.url}/DANE/`], server.env());
    expect((await worker.exited).code).toBe(2);
    expect(worker.events().map((e) => e.message)).toContain(`Unknown documents: ${'a'.repeat(40)}, ${'b'.repeat(40)}`);
  });

  it('exits 2 with the usage on a bad argument', async () => {
    const worker = start(['--element', 'x'], server.env());
    expect((await worker.exited).code).toBe(2);
    expect(worker.lines.some((l) => l.startsWith('Usage: node main.js'))).toBe(true);
  });
});
