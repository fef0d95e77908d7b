import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DaneClient } from '@dane/client';
import { type DaneDocument, builtInDefaults, type DaneConfig } from '@dane/protocol';
import { runBatch } from '@dane/worker';
import { ApiServer, startApiServer } from '../../test/support/api-server';
import { documentInput, generator } from '../../test/support/fixtures';
import { ChecksumWorker } from './checksum-worker';

const ADMIN_TOKEN = 'checksum-admin-token-0123456789abcdef';
const GENERATOR = { id: 'test', name: 'CHECKSUM', type: 'Software' as const, homepage: null };

/**
 * CHECKSUM reads DOWNLOAD's result through an API with keys on (batch mode runs its callback
 * without a broker): DANE.API_TOKEN / DANE_TOKEN carry the read key; without one the task fails
 * with a message naming the fix.
 */
describe('the checksum worker against an API with keys (real API, PGlite, AUTH.ENABLED)', () => {
  let server: ApiServer;
  let dir: string;
  let readKey: string;
  let operateKey: string;
  let document: DaneDocument;
  const content = Buffer.from('checksum me '.repeat(100));
  const savedToken = process.env.DANE_TOKEN;

  const worker = (token: string | null) => {
    const config: DaneConfig = builtInDefaults(dir + '/');
    config.LOGGING.LEVEL = 'ERROR';
    config.DANE.API_URL = `${server.url}/DANE/`;
    config.DANE.API_TOKEN = token;
    return new ChecksumWorker({ config, generator: GENERATOR });
  };

  beforeAll(async () => {
    delete process.env.DANE_TOKEN;
    dir = mkdtempSync(join(tmpdir(), 'dane-checksum-auth-'));
    server = await startApiServer({ DANE_AUTH__ENABLED: 'true', DANE_ADMIN_TOKEN: ADMIN_TOKEN });
    const res = await fetch(`${server.url}/DANE/keys/`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'checksum worker', role: 'read' }),
    });
    readKey = ((await res.json()) as { key: string }).key;
    const operate = await fetch(`${server.url}/DANE/keys/`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'checksum batch run', role: 'operate' }),
    });
    operateKey = ((await operate.json()) as { key: string }).key;
    // What DOWNLOAD would have left: its task and its {file_path, size} result.
    const admin = new DaneClient({ baseUrl: server.url, token: ADMIN_TOKEN });
    const doc = await admin.document(documentInput('CHECKSUM-AUTH-1')).register();
    const download = await doc.assign('DOWNLOAD');
    const file = join(dir, 'clip.mp4');
    writeFileSync(file, content);
    await admin.result(generator, { file_path: file, size: content.length }).save(download._id!);
    document = (await admin.documents.get(doc._id!)) as unknown as DaneDocument;
  });
  afterAll(async () => {
    if (savedToken === undefined) delete process.env.DANE_TOKEN;
    else process.env.DANE_TOKEN = savedToken;
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  afterEach(() => delete process.env.DANE_TOKEN);

  it('reads the DOWNLOAD result with DANE.API_TOKEN and hashes the file (a batch run by id: its task and result are stored)', async () => {
    // A batch run by id claims the task and stores its outcome and result: a key with the operate role.
    const summary = await runBatch(worker(operateKey), { documents: [document._id] });
    const sha = createHash('sha256').update(content).digest('hex');
    expect(summary).toMatchObject({ processed: 1, failed: 0 });
    expect(summary.items[0].outcome).toEqual({ state: 200, message: `sha256 ${sha}` });
    expect(summary.items[0].results).toEqual([{ algorithm: 'sha256', checksum: sha, file_path: join(dir, 'clip.mp4') }]);
    const stored = await server.store.results.find({ documentId: document._id, taskKey: 'CHECKSUM' }, { page: 1, size: 10 });
    expect(stored.items.map((r) => r.payload)).toEqual([{ algorithm: 'sha256', checksum: sha, file_path: join(dir, 'clip.mp4') }]);
    expect(await server.store.tasks.findById(summary.items[0].task_id!)).toMatchObject({ key: 'CHECKSUM', state: 200, attempt: 1 });
  });

  it('reads it with DANE_TOKEN too', async () => {
    process.env.DANE_TOKEN = readKey;
    const summary = await runBatch(worker(null), { documents: [document] });
    expect(summary).toMatchObject({ processed: 1, failed: 0 });
  });

  it('fails the task with a 500 naming the fix when no key is configured', async () => {
    // The whole document is given: only the result lookup meets the API.
    const summary = await runBatch(worker(null), { documents: [document] });
    expect(summary.failed).toBe(1);
    expect(summary.items[0].outcome?.state).toBe(500);
    expect(summary.items[0].outcome?.message).toBe(
      `Cannot read the DOWNLOAD result: DANE API answered 401 for GET ${server.url}/DANE/results/?document_id=${document._id}&task_key=DOWNLOAD: ` +
        'This route needs an API key with the read role: send `Authorization: Bearer <key>`; no API key was sent: set DANE_TOKEN to a key with the read role (or DANE.API_TOKEN in the config)',
    );
  });
});
