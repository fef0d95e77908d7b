import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DaneTestServer } from '../../test/support/dane-test-server';
import { sendJson, startHttpFixture, unreachableUrl, type HttpFixture } from '../../test/support/http-fixture';
import { ChecksumWorker } from '../checksum/checksum-worker';
import { DownloadWorker, fileNameOf } from './download-worker';
import { type DaneConfig } from '@dane/protocol';

const CONTENT = Buffer.from('DANE media bytes '.repeat(1000));
const GENERATOR = { id: 'test', name: 'EXAMPLES', type: 'Software' as const, homepage: null };

/**
 * DOWNLOAD then CHECKSUM over the broker. The HTTP fixture plays both the media host and the
 * DANE API: `GET /DANE/results/?document_id=…&task_key=DOWNLOAD` answers with what the download
 * worker published on the results queue (what the results app would have stored).
 */
describe('download and checksum workers', () => {
  let server: DaneTestServer;
  let http: HttpFixture;
  let temp: string;
  let config: DaneConfig;
  const workers: Array<DownloadWorker | ChecksumWorker> = [];

  beforeAll(async () => {
    server = await DaneTestServer.start('examples');
    temp = mkdtempSync(join(tmpdir(), 'dane-download-'));
    http = await startHttpFixture((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname === '/media/clip%201.mp4') return void res.writeHead(200, { 'content-type': 'video/mp4' }).end(CONTENT);
      if (url.pathname === '/DANE/results/') {
        const results = server.results
          .filter((r) => r.body.payload.file_path && r.body.task_id && url.searchParams.get('task_key') === 'DOWNLOAD')
          .filter((r) => (r.body.payload.file_path as string).includes(url.searchParams.get('document_id')!))
          .map((r) => ({ payload: r.body.payload, generator: r.body.generator, task_id: r.body.task_id }));
        return sendJson(res, 200, { total: results.length, results });
      }
      res.writeHead(404).end();
    });
    config = server.config({ DANE_PATHS__TEMP_FOLDER: temp, DANE_DANE__API_URL: `${http.url}/DANE/` });
    const download = new DownloadWorker({ queue: server.queue('DOWNLOAD'), config, generator: GENERATOR });
    const checksum = new ChecksumWorker({ queue: server.queue('CHECKSUM'), config, generator: GENERATOR });
    workers.push(download, checksum);
    await Promise.all(workers.map((w) => w.start()));
  });
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.stop(1000)));
    await http.close();
    await server.cleanup();
    rmSync(temp, { recursive: true, force: true });
  });

  it('DOWNLOAD stores the file under getDirs TEMP_FOLDER and saves {file_path, size}; CHECKSUM hashes it via the API', async () => {
    const document = server.document(`${http.url}/media/clip 1.mp4`);
    const downloadId = await server.publishTask({ document, key: 'DOWNLOAD' });
    const downloaded = await server.reply((r) => r.properties.correlationId === downloadId && r.body.state !== 102);
    const expectedPath = join(temp, document._id.slice(0, 2), document._id.slice(2, 4), document._id.slice(4, 6), document._id, 'clip 1.mp4');
    expect(downloaded.body).toEqual({ state: 200, message: `Downloaded ${CONTENT.length} bytes to ${expectedPath}` });
    expect(readFileSync(expectedPath)).toEqual(CONTENT);
    const saved = await server.result((r) => r.body.task_id === downloadId);
    expect(saved.body.payload).toEqual({ file_path: expectedPath, size: CONTENT.length });

    const checksumId = await server.publishTask({ document, key: 'CHECKSUM', headers: { 'x-dane-dependencies-done': true } });
    const checked = await server.reply((r) => r.properties.correlationId === checksumId);
    const sha = createHash('sha256').update(CONTENT).digest('hex');
    expect(checked.body).toEqual({ state: 200, message: `sha256 ${sha}` });
    expect((await server.result((r) => r.body.task_id === checksumId)).body.payload).toEqual({ algorithm: 'sha256', checksum: sha, file_path: expectedPath });
  });

  it('DOWNLOAD answers 404 for a missing source and honours task.args.PATHS.TEMP_FOLDER', async () => {
    const missing = await server.publishTask({ document: server.document(`${http.url}/media/nothing.mp4`), key: 'DOWNLOAD' });
    expect((await server.reply((r) => r.properties.correlationId === missing && r.body.state !== 102)).body).toEqual({
      state: 404,
      message: 'No file found at source_url',
    });
    const elsewhere = join(temp, 'elsewhere');
    const document = server.document(`${http.url}/media/clip 1.mp4`);
    const id = await server.publishTask({ document, task: server.task(document, 'DOWNLOAD', { args: { PATHS: { TEMP_FOLDER: elsewhere } } }) });
    await server.reply((r) => r.properties.correlationId === id && r.body.state === 200);
    expect(existsSync(join(elsewhere, document._id.slice(0, 2), document._id.slice(2, 4), document._id.slice(4, 6), document._id, 'clip 1.mp4'))).toBe(true);
  });

  it('CHECKSUM answers 502 when DOWNLOAD left no result, and a clear 500 when the API is unreachable', async () => {
    const noDownload = await server.publishTask({ key: 'CHECKSUM' });
    const reply = await server.reply((r) => r.properties.correlationId === noDownload);
    expect(reply.body.state).toBe(502);
    expect(reply.body.message).toMatch(/^No DOWNLOAD result with a file_path for document \w{40}$/);

    const apiUrl = await unreachableUrl();
    const offline = new ChecksumWorker({
      queue: server.queue('CHECKSUM-OFFLINE'),
      bindingKey: '#.CHECKOFF',
      config: server.config({ DANE_DANE__API_URL: apiUrl }),
      generator: GENERATOR,
    });
    await offline.start();
    workers.push(offline);
    const document = server.document();
    const id = await server.publishTask({ document, key: 'CHECKOFF' });
    expect((await server.reply((r) => r.properties.correlationId === id)).body).toEqual({
      state: 500,
      message: `Cannot read the DOWNLOAD result: Cannot reach the DANE API at ${apiUrl}results/?document_id=${document._id}&task_key=DOWNLOAD: ECONNREFUSED`,
    });
  });

  it('names downloads after the last URL segment, safely', () => {
    expect(fileNameOf('http://x/a/b%20c.mp4?x=1')).toBe('b c.mp4');
    expect(fileNameOf('http://x/')).toBe('source');
    expect(fileNameOf('http://x/..%2F..%2Fetc')).toBe('.._.._etc');
  });
});
