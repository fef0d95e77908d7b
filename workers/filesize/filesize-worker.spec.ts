import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createDocument, loadConfig } from '@dane/protocol';
import { runBatch } from '@dane/worker';
import { startHttpFixture, type HttpFixture } from '../../test/support/http-fixture';
import { FilesizeWorker } from './filesize-worker';

const GENERATOR = { id: 'test', name: 'filesize_queue', type: 'Software' as const, homepage: null };

describe('FilesizeWorker', () => {
  let dir: string;
  let media: string;
  let http: HttpFixture;

  beforeAll(async () => {
    http = await startHttpFixture((req, res) => {
      if (req.url === '/clip.mp4') res.writeHead(200, { 'content-length': String(5 * 1024 * 1024) }).end();
      else if (req.url === '/secret.mp4') res.writeHead(403).end();
      else res.writeHead(404).end();
    });
  });
  afterAll(() => http.close());
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'dane-filesize-'));
    media = join(dir, 'a b.bin');
    writeFileSync(media, Buffer.alloc(1536));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** A worker configured like `main.js` would be: base_config.yml of this folder, ./config.yml of `cwd`, env. */
  function worker(env: Record<string, string> = {}, configYml?: string): FilesizeWorker {
    if (configYml) writeFileSync(join(dir, 'config.yml'), configYml);
    const config = loadConfig({ baseDir: __dirname, cwd: dir, env: { DANE_HOME: dir, DANE_LOGGING__LEVEL: 'ERROR', ...env } }).config;
    return new FilesizeWorker({ config, generator: GENERATOR });
  }

  const doc = (url: string) => createDocument({ target: { id: url, url, type: 'Video' }, creator: { id: 'test', type: 'Organization' } });

  it('uses UNIT KB and PRECISION 2 from base_config.yml, queue filesize_queue and binding #.FILESIZE', async () => {
    const w = worker();
    expect(w.settings).toEqual({ unit: 'KB', precision: 2, queue: 'filesize_queue' });
    expect(w.options.bindingKeys).toEqual(['#.FILESIZE']);
    const summary = await runBatch(w, { documents: [doc(pathToFileURL(media).href)] });
    expect(summary.items[0].outcome).toEqual({ state: 200, message: 'Success: 1.5 KB' });
    expect(summary.items[0].results).toEqual([{ file_size: 1.5, unit: 'KB' }]);
  });

  it('lets ./config.yml override UNIT while PRECISION stays from base_config.yml, and env override both', async () => {
    const mb = worker({}, 'FILESIZE_WORKER:\n  UNIT: MB\n');
    expect(mb.settings).toMatchObject({ unit: 'MB', precision: 2 });
    const byEnv = worker({ DANE_FILESIZE_WORKER__UNIT: 'B', DANE_FILESIZE_WORKER__PRECISION: '0' }, 'FILESIZE_WORKER:\n  UNIT: MB\n');
    const summary = await runBatch(byEnv, { documents: [doc(media)] }); // a plain path, requoted to a%20b.bin
    expect(summary.items[0].results).toEqual([{ file_size: 1536, unit: 'B' }]);
  });

  it('answers 404 "No file found at source_url" for a missing file, like the documented example', async () => {
    const summary = await runBatch(worker(), { documents: [doc(join(dir, 'missing.bin'))] });
    expect(summary.items[0].outcome).toEqual({ state: 404, message: 'No file found at source_url' });
  });

  it('reads the size of an http(s) source from a HEAD request, and maps 403', async () => {
    const summary = await runBatch(worker({}, 'FILESIZE_WORKER:\n  UNIT: MB\n'), { documents: [doc(`${http.url}/clip.mp4`), doc(`${http.url}/secret.mp4`)] });
    expect(summary.items[0].results).toEqual([{ file_size: 5, unit: 'MB' }]);
    expect(summary.items[1].outcome?.state).toBe(403);
    expect(http.requests).toContain('HEAD /clip.mp4');
  });

  it('refuses an unknown UNIT at start-up', () => {
    expect(() => worker({ DANE_FILESIZE_WORKER__UNIT: 'parsecs' })).toThrow(/FILESIZE_WORKER.UNIT must be one of B, KB, MB, GB, TB/);
  });
});
