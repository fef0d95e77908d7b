import { type DaneDocument, builtInDefaults, type DaneConfig } from '@dane/protocol';
import { DaneClient } from '@dane/client';
import { ApiServer, startApiServer } from '../../../../test/support/api-server';
import { documentInput } from '../../../../test/support/fixtures';
import { DaneWorker } from '../dane-worker';
import type { TaskContext } from '../execution/task-context';
import type { WorkerTask } from '../worker-task';
import { runBatch } from '../batch/run-batch';
import { apiClientFor, apiTokenOf, DaneApiClient, DaneApiError } from './dane-api-client';

const ADMIN_TOKEN = 'worker-sdk-admin-token-0123456789abcdef';
const FIX = 'set DANE_TOKEN to a key with the read role (or DANE.API_TOKEN in the config)';

/** A key of `role` made through POST /DANE/keys/ with the admin token. */
async function createKey(server: ApiServer, role: string, name = `${role} key`): Promise<string> {
  const res = await fetch(`${server.url}/DANE/keys/`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name, role }),
  });
  if (res.status !== 201) throw new Error(`POST /DANE/keys/ answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { key: string }).key;
}

function workerConfig(token: string | null): DaneConfig {
  const config = builtInDefaults('/tmp/');
  config.LOGGING.LEVEL = 'ERROR';
  config.DANE.API_TOKEN = token;
  return config;
}

class UrlWorker extends DaneWorker {
  constructor(token: string | null) {
    super({ queue: 'url_queue', bindingKey: '#.URLCHECK', config: workerConfig(token), generator: { id: 't', name: 'URL', type: 'Software', homepage: null } });
  }
  async callback(_task: WorkerTask, document: DaneDocument, ctx: TaskContext) {
    await ctx.saveResult({ url: document.target.url });
    return { state: 200, message: 'ok' };
  }
}

describe('the worker API client against an API with keys (real API, PGlite, AUTH.ENABLED)', () => {
  let server: ApiServer;
  let readKey: string;
  let docId: string;
  const savedToken = process.env.DANE_TOKEN;

  beforeAll(async () => {
    delete process.env.DANE_TOKEN;
    server = await startApiServer({ DANE_AUTH__ENABLED: 'true', DANE_ADMIN_TOKEN: ADMIN_TOKEN });
    readKey = await createKey(server, 'read', 'batch reader');
    const admin = new DaneClient({ baseUrl: server.url, token: ADMIN_TOKEN });
    docId = (await admin.document(documentInput('WSDK-AUTH-1')).register())._id!;
  });
  afterAll(async () => {
    if (savedToken === undefined) delete process.env.DANE_TOKEN;
    else process.env.DANE_TOKEN = savedToken;
    await server?.close();
  });
  afterEach(() => delete process.env.DANE_TOKEN);

  it('sends the token as `Authorization: Bearer` and reads documents with a read key', async () => {
    const api = new DaneApiClient(`${server.url}/DANE/`, { token: readKey });
    expect(api.hasToken).toBe(true);
    await expect(api.getDocument(docId)).resolves.toMatchObject({ _id: docId, target: { id: 'WSDK-AUTH-1' } });
    await expect(api.getResults(docId, 'DOWNLOAD')).resolves.toEqual({ total: 0, results: [] });
  });

  it('says how to fix a missing, unknown or too weak key, without repeating the key', async () => {
    const url = `${server.url}/DANE/document/${docId}`;
    const none = await new DaneApiClient(`${server.url}/DANE/`).getDocument(docId).catch((e: DaneApiError) => e);
    expect(none).toBeInstanceOf(DaneApiError);
    expect(none).toMatchObject({ status: 401, url });
    expect((none as Error).message).toBe(
      `DANE API answered 401 for GET ${url}: This route needs an API key with the read role: send \`Authorization: Bearer <key>\`; no API key was sent: ${FIX}`,
    );

    const bogus = 'dane_0123456789abcdef_not-a-real-secret';
    const unknown = (await new DaneApiClient(`${server.url}/DANE/`, { token: bogus }).getDocument(docId).catch((e) => e)) as DaneApiError;
    expect(unknown.status).toBe(401);
    expect(unknown.message).toBe(`DANE API answered 401 for GET ${url}: Unknown or revoked API key; the API key sent was refused (unknown or revoked): ${FIX}`);
    expect(unknown.message).not.toContain(bogus);
  });

  it('reads the token from DANE_TOKEN first, else DANE.API_TOKEN (which DANE_DANE__API_TOKEN sets)', () => {
    expect(apiTokenOf(workerConfig(null), {})).toBeNull();
    expect(apiTokenOf(workerConfig(''), {})).toBeNull();
    expect(apiTokenOf(workerConfig('from-config'), {})).toBe('from-config');
    expect(apiTokenOf(workerConfig('from-config'), { DANE_TOKEN: ' from-env ' })).toBe('from-env');
    expect(apiTokenOf(workerConfig(null), { DANE_TOKEN: '' })).toBeNull();
    expect(builtInDefaults('/tmp/').DANE.API_TOKEN).toBeNull();
    expect(apiClientFor(workerConfig(null), 'http://h/DANE', {}).hasToken).toBe(false);
    expect(apiClientFor(workerConfig('k'), 'http://h/DANE', {}).baseUrl).toBe('http://h/DANE/');
  });

  describe('batch mode', () => {
    it('claims, stores and completes with DANE.API_TOKEN of the operate role', async () => {
      const operateKey = await createKey(server, 'operate', 'batch runner');
      const summary = await runBatch(new UrlWorker(operateKey), { documents: [docId], apiUrl: `${server.url}/DANE/` });
      expect(summary).toMatchObject({ total: 1, processed: 1, failed: 0 });
      expect(summary.items[0].results).toEqual([{ url: 'http://example.com/WSDK-AUTH-1.mp4' }]);
      expect(await new DaneApiClient(`${server.url}/DANE/`, { token: readKey }).getResults(docId, 'URLCHECK')).toMatchObject({ total: 1 });
    });

    it('with DANE_TOKEN of the read role: the claim is refused with the fix (operate role)', async () => {
      process.env.DANE_TOKEN = readKey;
      const summary = await runBatch(new UrlWorker(null), { documents: [docId], apiUrl: `${server.url}/DANE/`, force: true });
      expect(summary).toMatchObject({ total: 1, processed: 0, failed: 1 });
      expect(summary.items[0].reason).toMatch(/^DANE API answered 403 for POST .*\/DANE\/task\/claim: .*set DANE_TOKEN to a key with the operate role/);
    });

    it('fails each document with the fix when no key is configured', async () => {
      const summary = await runBatch(new UrlWorker(null), { documents: [docId], apiUrl: `${server.url}/DANE/` });
      expect(summary).toMatchObject({ total: 1, processed: 0, failed: 1 });
      expect(summary.items[0].reason).toMatch(/^DANE API answered 401 for POST .*\/DANE\/task\/claim: .*; no API key was sent: set DANE_TOKEN to a key with the operate role/);
    });
  });
});
