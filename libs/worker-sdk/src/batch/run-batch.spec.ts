import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDocument, documentView, taskId, type DaneDocument, builtInDefaults } from '@dane/protocol';
import { startHttpFixture, sendJson, unreachableUrl, type HttpFixture } from '../../../../test/support/http-fixture';
import { DaneWorker } from '../dane-worker';
import type { TaskContext } from '../execution/task-context';
import type { WorkerTask } from '../worker-task';
import { batchExitCode, runBatch } from './run-batch';
import { parseWorkerArgs, readDocumentsList } from './cli-args';

const good = createDocument({ target: { id: 'ITM1', url: 'http://example.com/1.mp4', type: 'Video' }, creator: { id: 'NISV', type: 'Organization' } });
const bad = createDocument({ target: { id: 'ITM2', url: 'http://example.com/2.mp4', type: 'Video' }, creator: { id: 'NISV', type: 'Organization' } });

class UrlWorker extends DaneWorker {
  readonly seen: WorkerTask[] = [];
  constructor() {
    const config = builtInDefaults('/tmp/');
    config.LOGGING.LEVEL = 'ERROR';
    super({ queue: 'url_queue', bindingKey: '#.URLCHECK', config, generator: { id: 't', name: 'URL', type: 'Software', homepage: null } });
  }
  async callback(task: WorkerTask, document: DaneDocument, ctx: TaskContext) {
    this.seen.push(task);
    if (document._id === bad._id) throw new Error('cannot parse');
    await ctx.heartbeat('half');
    await ctx.saveResult({ url: document.target.url });
    return { state: 200, message: 'ok' };
  }
}

describe('runBatch', () => {
  let api: HttpFixture;
  beforeAll(async () => {
    api = await startHttpFixture((req, res) => {
      const id = /^\/DANE\/document\/([^/?]+)$/.exec(req.url ?? '')?.[1];
      const doc = [good, bad].find((d) => d._id === id);
      if (doc) sendJson(res, 200, documentView(doc));
      else sendJson(res, 404, { message: `No document with id \`${id}\` found` });
    });
  });
  afterAll(() => api.close());

  it('fetches each document from GET {API_URL}document/<id>, runs a synthetic task and counts outcomes', async () => {
    const worker = new UrlWorker();
    const summary = await runBatch(worker, { documents: [good._id, bad._id, 'f'.repeat(40)], apiUrl: `${api.url}/DANE` });
    expect(summary).toMatchObject({ total: 3, completed: 1, failed: 2 });
    expect(summary.items[0]).toEqual({ document_id: good._id, outcome: { state: 200, message: 'ok' }, results: [{ url: good.target.url }] });
    expect(summary.items[1].error).toBe('500 Unhandled worker error: cannot parse');
    expect(summary.items[2].error).toBe(`DANE API answered 404 for GET ${api.url}/DANE/document/${'f'.repeat(40)}: No document with id \`${'f'.repeat(40)}\` found`);
    expect(worker.seen[0]).toMatchObject({ _id: taskId(good._id, 'URLCHECK'), key: 'URLCHECK', state: 201, args: {} });
    expect(api.requests).toContain(`GET /DANE/document/${good._id}`);
    expect(batchExitCode(summary)).toBe(0);
  });

  it('exits 1 when every document failed or there was none, and reports an unreachable API', async () => {
    const worker = new UrlWorker();
    const apiUrl = await unreachableUrl();
    const summary = await runBatch(worker, { documents: [{ id: good._id }], apiUrl });
    expect(summary.items[0].error).toBe(`Cannot reach the DANE API at ${apiUrl}document/${good._id}: ECONNREFUSED`);
    expect(batchExitCode(summary)).toBe(1);
    expect(batchExitCode(await runBatch(worker, { documents: [] }))).toBe(1);
  });

  it('accepts whole documents without calling the API', async () => {
    const summary = await runBatch(new UrlWorker(), { documents: [good], apiUrl: await unreachableUrl() });
    expect(summary.completed).toBe(1);
  });
});

describe('worker command line', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'dane-cli-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('parses --document lists, repeats and --x=y forms', () => {
    expect(parseWorkerArgs(['--document', 'a', 'b', '--api-url', 'http://h/DANE/', '--document=c'])).toEqual({
      documents: ['a', 'b', 'c'],
      apiUrl: 'http://h/DANE/',
      help: false,
    });
    expect(parseWorkerArgs([])).toEqual({ documents: [], help: false });
  });

  it('rejects unknown flags, missing values and both document sources at once', () => {
    expect(() => parseWorkerArgs(['--element', 'x'])).toThrow('Unknown argument "--element"');
    expect(() => parseWorkerArgs(['--api-url'])).toThrow('--api-url needs a value');
    expect(() => parseWorkerArgs(['--document', 'a', '--documents-list', 'f.json'])).toThrow(/can't be combined/);
  });

  it('reads a documents list of ids or of {id}', () => {
    const file = join(dir, 'docs.json');
    writeFileSync(file, JSON.stringify(['a', { id: 'b' }]));
    expect(readDocumentsList(file)).toEqual(['a', 'b']);
    writeFileSync(file, JSON.stringify({ id: 'a' }));
    expect(() => readDocumentsList(file)).toThrow(/must be a JSON list/);
    writeFileSync(file, JSON.stringify([{ name: 'a' }]));
    expect(() => readDocumentsList(file)).toThrow(/every entry must be an id/);
  });
});
