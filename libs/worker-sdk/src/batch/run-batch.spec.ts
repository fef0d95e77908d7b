import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { createDocument, taskId, type DaneDocument, builtInDefaults } from '@dane/protocol';
import type { DaneStore } from '@dane/core';
import { createSqlStore } from '@dane/core/storage/sql';
import { testSchema } from '@dane/core/storage/sql/postgres-test-db';
import { createApiTestApp } from '../../../../test/support/api-test-app';
import { DaneWorker } from '../dane-worker';
import { RetryLater } from '../errors/outcome-errors';
import { TaskCancelledError } from '../execution/cancellations';
import type { TaskContext } from '../execution/task-context';
import type { WorkerTask } from '../worker-task';
import { batchExitCode, runBatch, type BatchOptions } from './run-batch';
import { parseWorkerArgs, readDocumentsList } from './cli-args';

const KEY = 'BATCHCOUNT';

/** Counts its callbacks per document; fails a document whose target id says so, retries one that says so. */
class CountingWorker extends DaneWorker {
  readonly runs = new Map<string, number>();
  constructor(
    private readonly options2: { delayMs?: number; onRun?: (task: WorkerTask, doc: DaneDocument) => Promise<void> } = {},
    heartbeatIntervalMs = 30_000,
  ) {
    const config = builtInDefaults('/tmp/');
    config.LOGGING.LEVEL = 'ERROR';
    super({ queue: 'batchcount_queue', bindingKey: `#.${KEY}`, config, heartbeatIntervalMs, generator: { id: 't', name: 'COUNTER', type: 'Software', homepage: null } });
  }
  async callback(task: WorkerTask, document: DaneDocument, ctx: TaskContext) {
    this.runs.set(document._id, (this.runs.get(document._id) ?? 0) + 1);
    if (document.target.id.startsWith('FAIL')) throw new Error('cannot parse');
    if (document.target.id.startsWith('LATER')) throw new RetryLater('service down');
    await ctx.heartbeat('half way');
    await this.options2.onRun?.(task, document);
    if (this.options2.delayMs) await new Promise((r) => setTimeout(r, this.options2.delayMs));
    await ctx.saveResult({ target: document.target.id, attempt: task.attempt });
    return { state: 200, message: 'counted' };
  }
  get total(): number {
    return [...this.runs.values()].reduce((a, b) => a + b, 0);
  }
}

/** Batch runs against the real API on PostgreSQL (auth off): claims, skips, stored outcomes and results, selections. */
describe('runBatch against the API (PostgreSQL)', () => {
  const schema = testSchema('batch');
  let store: DaneStore;
  let app: INestApplication;
  let apiUrl: string;

  const register = async (targetId: string, creatorId = 'BATCH') => {
    const doc = createDocument({ target: { id: targetId, url: `http://example.com/${targetId}.mp4`, type: 'Video' }, creator: { id: creatorId, type: 'Organization' } });
    await store.documents.insert(doc);
    return doc;
  };
  const run = (worker: DaneWorker, options: Omit<BatchOptions, 'apiUrl'>) => runBatch(worker, { ...options, apiUrl });
  const resultsOf = async (doc: DaneDocument) => {
    const res = await fetch(`${apiUrl}results/?document_id=${doc._id}&task_key=${KEY}`);
    return ((await res.json()) as { total: number; results: { payload: Record<string, unknown>; task_id: string }[] }).results;
  };

  beforeAll(async () => {
    await schema.create();
    store = await createSqlStore({ kind: 'postgres', url: schema.url, poolSize: 4 });
    app = await createApiTestApp(store);
    await app.listen(0, '127.0.0.1');
    apiUrl = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}/DANE/`;
  });
  afterAll(async () => {
    await app?.close();
    await store?.close();
    await schema.drop();
  });

  it('over 5 documents where 2 were done processes 3 and skips 2; a second identical run skips all 5; results are found through GET /DANE/results/', async () => {
    const docs = await Promise.all([1, 2, 3, 4, 5].map((i) => register(`FIVE-${i}`)));
    const worker = new CountingWorker();
    const first = await run(worker, { documents: docs.slice(0, 2).map((d) => d._id) });
    expect(first).toMatchObject({ total: 2, processed: 2, skipped: 0, failed: 0 });

    const ids = docs.map((d) => d._id);
    const second = await run(worker, { documents: ids });
    expect(second).toMatchObject({ total: 5, processed: 3, skipped: 2, failed: 0, unknown: [] });
    expect(second.items.filter((i) => i.status === 'skipped').map((i) => i.document_id)).toEqual(ids.slice(0, 2));
    expect(batchExitCode(second)).toBe(0);

    const third = await run(worker, { documents: ids });
    expect(third).toMatchObject({ total: 5, processed: 0, skipped: 5, failed: 0 });
    expect(batchExitCode(third)).toBe(0);
    expect(worker.total).toBe(5);

    for (const doc of docs) {
      expect(await store.tasks.findById(taskId(doc._id, KEY))).toMatchObject({ state: 200, msg: 'counted', attempt: 1 });
      expect(await resultsOf(doc)).toEqual([expect.objectContaining({ task_id: taskId(doc._id, KEY), payload: { target: doc.target.id, attempt: 1 } })]);
    }

    // --force runs a done task again: a new attempt and a second result.
    const forced = await run(worker, { documents: [ids[0]], force: true });
    expect(forced).toMatchObject({ processed: 1, skipped: 0 });
    expect(await store.tasks.findById(taskId(ids[0], KEY))).toMatchObject({ state: 200, attempt: 2 });
    expect((await resultsOf(docs[0])).map((r) => r.payload.attempt)).toEqual([1, 2]);
  });

  it('two concurrent batch runs over the same 20 documents run each task once', async () => {
    const docs = await Promise.all(Array.from({ length: 20 }, (_, i) => register(`RACE-${i}`)));
    const a = new CountingWorker({ delayMs: 20 });
    const b = new CountingWorker({ delayMs: 20 });
    const ids = docs.map((d) => d._id);
    const [ra, rb] = await Promise.all([run(a, { documents: ids }), run(b, { documents: [...ids].reverse() })]);
    expect(ra.processed + rb.processed).toBe(20);
    expect(ra.skipped + rb.skipped).toBe(20);
    expect(ra.failed + rb.failed).toBe(0);
    expect(a.total + b.total).toBe(20);
    for (const doc of docs) {
      expect((a.runs.get(doc._id) ?? 0) + (b.runs.get(doc._id) ?? 0)).toBe(1);
      expect(await store.tasks.findById(taskId(doc._id, KEY))).toMatchObject({ state: 200, attempt: 1 });
      expect(await resultsOf(doc)).toHaveLength(1);
    }
  });

  it('keeps the task in 102 with the progress text while the callback runs (heartbeats), then stores the outcome', async () => {
    const doc = await register('BEAT-1');
    const seen: unknown[] = [];
    const worker = new CountingWorker(
      {
        delayMs: 150,
        onRun: async (task) => {
          seen.push(await store.tasks.findById(task._id));
        },
      },
      30,
    );
    await run(worker, { documents: [doc._id] });
    expect(seen).toEqual([expect.objectContaining({ state: 102, msg: 'half way', attempt: 1 })]);
    // A second run while it is in flight is refused: claimed once.
    const id = taskId(doc._id, KEY);
    await store.tasks.claimOne(id, [200], 60_000, 'someone else');
    const busy = await run(new CountingWorker(), { documents: [doc._id] });
    expect(busy).toMatchObject({ processed: 0, skipped: 1 });
    expect(busy.items[0].reason).toMatch(/is in flight \(102 at attempt 2\)/);
  });

  it('tells a running callback through ctx.signal when its task is cancelled meanwhile (a refused heartbeat); the late outcome changes nothing', async () => {
    const doc = await register('CANCEL-1');
    let reason: unknown;
    class CancelledWhileRunning extends CountingWorker {
      override async callback(task: WorkerTask, _document: DaneDocument, ctx: TaskContext) {
        const res = await fetch(`${apiUrl}task/${task._id}/cancel`, { method: 'POST' });
        expect(res.status).toBe(200);
        await new Promise<void>((resolve, reject) => {
          const giveUp = setTimeout(() => reject(new Error('ctx.signal was not aborted within 5 s')), 5_000);
          const done = () => (clearTimeout(giveUp), resolve());
          if (ctx.signal.aborted) done();
          else ctx.signal.addEventListener('abort', done);
        });
        reason = ctx.signal.reason;
        return { state: 200 as const, message: 'finished anyway' };
      }
    }
    await run(new CancelledWhileRunning({}, 30), { documents: [doc._id] });
    expect(reason).toBeInstanceOf(TaskCancelledError);
    expect(await store.tasks.findById(taskId(doc._id, KEY))).toMatchObject({ state: 499 });
  });

  it('stores failures as queue mode does: 500 waits for a person, RetryLater is retried within the budget; exit 1', async () => {
    const bad = await register('FAIL-1');
    const later = await register('LATER-1');
    const summary = await run(new CountingWorker(), { documents: [bad._id, later._id], verbose: true });
    expect(summary).toMatchObject({ processed: 0, failed: 2 });
    expect(batchExitCode(summary)).toBe(1);
    expect(await store.tasks.findById(taskId(bad._id, KEY))).toMatchObject({ state: 500, msg: 'Unhandled worker error: cannot parse' });
    expect((await store.tasks.findById(taskId(later._id, KEY)))?.msg).toMatch(/^service down — retry 1 of 5/);
    expect(summary.items[1].reason).toMatch(/^503 service down \(task now 503 service down — retry 1 of 5/);
    // A run started again takes the failed task again (a person asked for it).
    const again = await run(new CountingWorker(), { documents: [bad._id] });
    expect(again).toMatchObject({ failed: 1 });
    expect(await store.tasks.findById(taskId(bad._id, KEY))).toMatchObject({ state: 500, attempt: 2 });
  });

  it('selects by --creator and --search, with --unprocessed and --limit; unknown ids are reported by name', async () => {
    const mine = await Promise.all(['SEL-A1', 'SEL-A2', 'SEL-A3'].map((t) => register(t, 'CREATOR-A')));
    const other = await register('SEL-B1', 'CREATOR-B');
    const w = new CountingWorker();
    const byCreator = await run(w, { creator: 'CREATOR-A', limit: 2 });
    expect(byCreator.items.map((i) => i.document_id)).toEqual(mine.slice(0, 2).map((d) => d._id));
    expect(byCreator).toMatchObject({ selected: 3, total: 2, processed: 2 });

    const unprocessed = await run(w, { creator: 'CREATOR-A', unprocessed: true });
    expect(unprocessed.items.map((i) => i.document_id)).toEqual([mine[2]._id]);
    expect(await run(w, { creator: 'CREATOR-A', unprocessed: true })).toMatchObject({ selected: 3, total: 0 });
    expect(batchExitCode(await run(w, { creator: 'CREATOR-A', unprocessed: true }))).toBe(0);

    const bySearch = await run(w, { search: { target_id: 'SEL-?1' } });
    expect(bySearch.items.map((i) => i.document_id).sort()).toEqual([mine[0]._id, other._id].sort());
    expect(bySearch).toMatchObject({ processed: 1, skipped: 1 });
    expect((await run(w, { search: { target_id: 'SEL-*', creator_id: 'CREATOR-B' } })).items.map((i) => i.document_id)).toEqual([other._id]);

    const unknown = 'f'.repeat(40);
    const mixed = await run(w, { documents: [unknown, mine[0]._id] });
    expect(mixed).toMatchObject({ unknown: [unknown], total: 1, skipped: 1 });
    expect(batchExitCode(mixed)).toBe(0);
    const none = await run(w, { documents: [unknown] });
    expect(none).toMatchObject({ unknown: [unknown], selected: 0, total: 0 });
    expect(batchExitCode(none)).toBe(2);
    expect(batchExitCode(await run(w, { creator: 'NOBODY' }))).toBe(2);
  });

  it('runs a whole document given by code locally, without the store', async () => {
    const doc = createDocument({ target: { id: 'LOCAL-1', url: 'http://example.com/l.mp4', type: 'Video' }, creator: { id: 'X', type: 'Organization' } });
    const summary = await runBatch(new CountingWorker(), { documents: [doc], apiUrl: 'http://127.0.0.1:1/DANE/' });
    expect(summary).toMatchObject({ processed: 1, failed: 0 });
    expect(summary.items[0].results).toEqual([{ target: 'LOCAL-1', attempt: undefined }]);
    expect(await store.tasks.findById(taskId(doc._id, KEY))).toBeNull();
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

  it('parses the selections and options of a batch run', () => {
    expect(parseWorkerArgs(['--creator', 'NISV', '--search', 'target_id=ITM*', '--search=creator_id=N?SV', '--unprocessed', '--limit', '10', '--force', '--verbose'])).toEqual({
      documents: [],
      creator: 'NISV',
      search: { target_id: 'ITM*', creator_id: 'N?SV' },
      unprocessed: true,
      limit: 10,
      force: true,
      verbose: true,
      help: false,
    });
  });

  it('rejects unknown flags, missing values, bad filters and limits, options without a selection, and both document sources at once', () => {
    expect(() => parseWorkerArgs(['--element', 'x'])).toThrow('Unknown argument "--element"');
    expect(() => parseWorkerArgs(['--api-url'])).toThrow('--api-url needs a value');
    expect(() => parseWorkerArgs(['--document', 'a', '--documents-list', 'f.json'])).toThrow(/can't be combined/);
    expect(() => parseWorkerArgs(['--search', 'url=x'])).toThrow(/--search takes FILTER=PATTERN with FILTER one of target_id, creator_id/);
    expect(() => parseWorkerArgs(['--creator', 'c', '--limit', '0'])).toThrow(/--limit takes a whole number ≥ 1/);
    expect(() => parseWorkerArgs(['--unprocessed'])).toThrow(/need a selection/);
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
