import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createDocument, documentView } from '@dane/protocol';
import { DaneTestServer, eventually } from '../../libs/worker-sdk/test/dane-test-server';
import { sendJson, startHttpFixture, type HttpFixture } from '../../libs/worker-sdk/test/http-fixture';
import { buildWorkers, startWorkerProcess } from '../../libs/worker-sdk/test/worker-process';

/** `node dist/workers/filesize/main.js` as a process: queue mode with SIGTERM, and batch mode. */
describe('filesize worker process', () => {
  let server: DaneTestServer;
  let http: HttpFixture;
  let cwd: string;
  let headStarted = false;
  let media: string;
  const localDoc = () => createDocument({ target: { id: 'local', url: pathToFileURL(media).href, type: 'Video' }, creator: { id: 'test', type: 'Organization' } });

  beforeAll(async () => {
    buildWorkers();
    server = await DaneTestServer.start('fs-proc');
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
      const id = /^\/DANE\/document\/(\w+)$/.exec(req.url ?? '')?.[1];
      if (id === localDoc()._id) sendJson(res, 200, documentView(localDoc()));
      else sendJson(res, 404, { message: `No document with id \`${id}\` found` });
    });
  }, 120_000);
  afterAll(async () => {
    await http.close();
    await server.cleanup();
    rmSync(cwd, { recursive: true, force: true });
  });

  it('on SIGTERM stops taking tasks, finishes the running one, replies and exits 0', async () => {
    const queue = server.queue('filesize');
    const worker = startWorkerProcess('filesize', [], { cwd, env: server.env({ DANE_FILESIZE_WORKER__QUEUE: queue }) });
    try {
      await worker.waitForLine((l) => l.event === 'worker_started');
      const document = server.document(`${http.url}/slow.mp4`);
      const id = await server.publishTask({ document, key: 'FILESIZE' });
      await eventually(() => headStarted, 10_000, 'HEAD request');
      worker.child.kill('SIGTERM');
      await worker.waitForLine((l) => l.event === 'worker_stopping');
      await server.publishTask({ key: 'FILESIZE' }); // arrives after SIGTERM: must stay queued

      expect(await worker.exited).toBe(0);
      expect(server.finalRepliesFor(id).map((r) => r.body)).toEqual([{ state: 200, message: 'Success: 2 KB' }]);
      const result = await server.result((r) => r.body.task_id === id);
      expect(result.body).toMatchObject({ payload: { file_size: 2, unit: 'KB' }, generator: { id: 'unknown', name: queue, type: 'Software' } });
      expect(worker.lines.some((l) => l.event === 'worker_stopped')).toBe(true);
      expect(await server.ready(queue)).toBe(1);
    } finally {
      worker.child.kill('SIGKILL');
    }
  });

  it('runs in batch mode with --document, reads ./config.yml over base_config.yml, logs progress and a summary', async () => {
    writeFileSync(join(cwd, 'config.yml'), 'FILESIZE_WORKER:\n  UNIT: MB\n');
    const missing = 'f'.repeat(40);
    const worker = startWorkerProcess('filesize', ['--document', localDoc()._id, missing, '--api-url', `${http.url}/DANE/`], { cwd, env: server.env() });
    expect(await worker.exited).toBe(0);
    const messages = worker.lines.map((l) => l.message);
    expect(messages).toContain(`Processing ${localDoc()._id} (1/2)`);
    expect(messages).toContain(`Processing ${missing} (2/2)`);
    expect(messages).toContain('Ran on 2 documents: 1 completed, 1 failed');
    expect(worker.lines.find((l) => l.event === 'batch_result')).toMatchObject({ payload: { file_size: 3, unit: 'MB' }, document_id: localDoc()._id });
    expect(worker.lines.find((l) => l.event === 'batch_item_failed')?.message).toMatch(`Failed running worker on document ${missing}: DANE API answered 404`);
  });

  it('exits 1 when every document of a --documents-list failed', async () => {
    const list = join(cwd, 'docs.json');
    writeFileSync(list, JSON.stringify([{ id: 'a'.repeat(40) }, 'b'.repeat(40)]));
    const worker = startWorkerProcess('filesize', ['--documents-list', list, '--api-url', `${http.url}/DANE/`], { cwd, env: server.env() });
    expect(await worker.exited).toBe(1);
    expect(worker.lines.map((l) => l.message)).toContain('Ran on 2 documents: 0 completed, 2 failed');
  });

  it('exits 2 with the usage on a bad argument', async () => {
    const worker = startWorkerProcess('filesize', ['--element', 'x'], { cwd, env: server.env() });
    expect(await worker.exited).toBe(2);
    expect(worker.lines.some((l) => String(l.raw ?? '').startsWith('Usage: node main.js'))).toBe(true);
  });
});
