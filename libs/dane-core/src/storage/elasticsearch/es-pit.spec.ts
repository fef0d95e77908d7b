import { Client } from '@elastic/elasticsearch';
import { StorageUnavailableError, TaskState } from '@dane/protocol';
import { makeDocument, makeTask } from '../sql/store-contract.fixtures';
import { EsHit, EsIndex } from './es-index';
import { TASK_ORDER, scanPages } from './paging';
import { TaskSource } from './sources';
import { INDEX, PIT_ID, Stored, hits, pitClosed, pitOpened } from './testing/es-replies';
import { useRecordedStore } from './testing/recorded-store';
import { RecordedRequest, RecordingElasticsearch } from './testing/recording-elasticsearch';

const S = TaskState;
const doc = makeDocument('ITM5');
/** Python wrote these: no `dane_node.seq`, and all in the same second. */
const CREATED_AT = '2021-01-14T10:00:00';

function pythonTask(key: string, seqNo: number): Stored {
  return {
    id: makeTask(doc, key)._id,
    seqNo,
    routing: doc._id,
    source: { task: { key, state: S.UNFINISHED_DEPENDENCY, msg: 'waiting', priority: 1 }, role: { name: 'task', parent: doc._id }, created_at: CREATED_AT, updated_at: CREATED_AT },
  };
}

/** TASK_ORDER's sort values of a stored task (what 7.17 gives: missing → 0, the date as epoch ms). */
function taskOrderKey(t: Stored): number[] {
  const source = t.source as TaskSource;
  return [source.dane_node?.seq ?? 0, Date.parse(`${source.created_at}Z`), t.seqNo ?? 0];
}

function compare(a: number[], b: number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}

/**
 * A small index behind the recording server that sorts by TASK_ORDER and honours search_after and
 * size: searches of the index see it as it is now (`live`), searches in a point in time see it as
 * it was when the PIT was opened, with `_shard_doc` (the place in that snapshot) last in the sort values.
 */
class TaskIndex {
  live: Stored[] = [];
  private snapshot: Stored[] = [];
  pitIds: string[] = [];

  constructor(es: RecordingElasticsearch) {
    es.on('POST', `/${INDEX}/_pit`, () => {
      this.snapshot = this.live.map((t) => ({ ...t }));
      this.pitIds = [PIT_ID];
      return pitOpened(PIT_ID);
    });
    es.on('DELETE', '/_pit', pitClosed());
    es.on('POST', `/${INDEX}/_search`, (req) => this.answer(this.live, req, false));
    es.on('POST', '/_search', (req) => {
      // 7.17 may hand back a new id with each page; the next search must use it.
      const next = `${PIT_ID}${this.pitIds.length}`;
      this.pitIds.push(next);
      const reply = this.answer(this.snapshot, req, true);
      return { ...reply, body: { pit_id: next, ...(reply.body as object) } };
    });
  }

  /** An update by someone else: a new `_seq_no`, above every other. */
  update(id: string): void {
    const top = Math.max(...this.live.map((t) => t.seqNo ?? 0));
    this.live = this.live.map((t) => (t.id === id ? { ...t, seqNo: top + 1 } : t));
  }

  private answer(docs: Stored[], req: RecordedRequest, inPit: boolean) {
    const body = req.body as { size: number; search_after?: number[] };
    const keyed = docs.map((t, place) => ({ t, key: inPit ? [...taskOrderKey(t), place] : taskOrderKey(t) })).sort((a, b) => compare(a.key, b.key));
    const after = body.search_after;
    const page = keyed.filter(({ key }) => !after || compare(key, after) > 0).slice(0, body.size);
    return hits(
      page.map(({ t, key }) => ({ ...t, sort: key })),
      docs.length,
    );
  }
}

describe('Scans and deep pages in a point in time (issue 16, item 5)', () => {
  let es: RecordingElasticsearch;
  let client: Client;
  let index: EsIndex;
  let tasks: TaskIndex;
  const keys = ['A', 'B', 'C', 'D', 'E'];

  beforeEach(async () => {
    es = await new RecordingElasticsearch().start();
    client = new Client({ node: es.url, maxRetries: 0 });
    index = new EsIndex(client, INDEX, `Elasticsearch test/${INDEX}`);
    tasks = new TaskIndex(es);
    tasks.live = keys.map((key, i) => pythonTask(key, i + 1));
  });

  afterEach(async () => {
    await client.close();
    await es.stop();
  });

  /** Walks the scan two hits a page; after the first page someone updates A, which it has already seen. */
  async function walk(scan: (chunk: number) => AsyncIterable<EsHit<unknown>[]>): Promise<string[]> {
    const seen: string[] = [];
    for await (const page of scan(2)) {
      if (seen.length === 0) tasks.update(makeTask(doc, 'A')._id);
      seen.push(...page.map((h) => (h._source as TaskSource).task.key));
    }
    return seen;
  }

  it('without a point in time, search_after on _seq_no shows a task updated mid-walk twice (what the PIT prevents)', async () => {
    async function* plain(chunk: number) {
      let after: unknown[] | undefined;
      for (;;) {
        const { hits: page } = await index.search({ query: { match_all: {} }, sort: TASK_ORDER, size: chunk, search_after: after });
        if (page.length > 0) yield page;
        if (page.length < chunk) return;
        after = page[page.length - 1].sort;
      }
    }
    expect(await walk(plain)).toEqual(['A', 'B', 'C', 'D', 'E', 'A']);
  });

  it('a scan sees every task once, in order, while tasks change under it; the PIT is closed with the id last handed back', async () => {
    expect(await walk((chunk) => scanPages(index, { query: { match_all: {} } }, TASK_ORDER, chunk))).toEqual(['A', 'B', 'C', 'D', 'E']);
    const calls = es.calls.map((c) => `${c.method} ${c.path}`);
    expect(calls).toEqual([`POST /${INDEX}/_pit`, 'POST /_search', 'POST /_search', 'POST /_search', 'DELETE /_pit']);
    expect(es.calls[0].query).toEqual({ keep_alive: '1m' });
    const searches = es.calls.filter((c) => c.path === '/_search').map((c) => c.body as Record<string, any>);
    // Each page in the PIT the previous answer named, after the previous page's last sort values (with _shard_doc).
    expect(searches.map((b) => b.pit)).toEqual(tasks.pitIds.slice(0, 3).map((id) => ({ id, keep_alive: '1m' })));
    expect(searches[0].sort).toEqual([...TASK_ORDER, { _shard_doc: 'asc' }]);
    expect(searches[1].search_after).toEqual([0, Date.parse(`${CREATED_AT}Z`), 2, 1]);
    expect(searches.every((b) => b.track_total_hits === false)).toBe(true);
    expect(es.calls.at(-1)!.body).toEqual({ id: tasks.pitIds[3] });
  });

  it('closes the point in time when a page fails, and when the caller stops early', async () => {
    // Counted answers come before the standing ones: the first page, then a failure.
    es.once('POST', '/_search', hits([tasks.live[0], tasks.live[1]].map((t, i) => ({ ...t, sort: [...taskOrderKey(t), i] }))));
    es.once('POST', '/_search', { status: 503, body: { error: { type: 'search_phase_execution_exception', reason: 'all shards failed' }, status: 503 } });
    await expect(walk((chunk) => scanPages(index, { query: { match_all: {} } }, TASK_ORDER, chunk))).rejects.toThrow(StorageUnavailableError);
    expect(es.calls.map((c) => `${c.method} ${c.path}`)).toEqual([`POST /${INDEX}/_pit`, 'POST /_search', 'POST /_search', 'DELETE /_pit']);

    es.requests.length = 0;
    for await (const page of scanPages(index, { query: { match_all: {} } }, TASK_ORDER, 2)) {
      expect(page).toHaveLength(2);
      break;
    }
    expect(es.calls.map((c) => `${c.method} ${c.path}`)).toEqual([`POST /${INDEX}/_pit`, 'POST /_search', 'DELETE /_pit']);
  });
});

describe('API keys past the 10,000 window', () => {
  const recorded = useRecordedStore();
  const KEYS = `${INDEX}-api-keys`;

  it('walks there in a point in time on the key index instead of from/size (a 400 past 10,000)', async () => {
    recorded.es.on('GET', `/${KEYS}/_count`, { status: 200, body: { count: 10_500, _shards: { total: 1, successful: 1, skipped: 0, failed: 0 } } });
    recorded.es.on('POST', `/${KEYS}/_pit`, pitOpened(PIT_ID));
    const key = (i: number): Stored => ({
      id: `k${i}`,
      source: { name: `key ${i}`, role: 'read', salt: 's', hash: 'h', created_at: '2024-05-13T10:00:00Z' },
      sort: [1715594400000 + i],
    });
    recorded.es.once('POST', '/_search', hits(Array.from({ length: 10_000 }, (_, i) => ({ ...key(i), source: undefined, sort: [1715594400000 + i, i] }))));
    recorded.es.once('POST', '/_search', hits([{ ...key(10_000), sort: [1715594410000, 10_000] }]));
    const page = await recorded.store.apiKeys.list({ page: 11, size: 1000 });
    expect(page).toMatchObject({ total: 10_500, page: 11, size: 1000 });
    expect(page.items.map((k) => k.name)).toEqual(['key 10000']);
    expect(recorded.es.calls.map((c) => `${c.method} ${c.path}`)).toEqual([`GET /${KEYS}/_count`, `POST /${KEYS}/_pit`, 'POST /_search', 'POST /_search', 'DELETE /_pit']);
    const [walk, read] = recorded.es.calls.filter((c) => c.path === '/_search').map((c) => c.body as Record<string, any>);
    expect(walk).toMatchObject({ _source: false, size: 10_000, sort: [{ created_at: 'asc' }, { _shard_doc: 'asc' }], pit: { id: PIT_ID } });
    expect(walk).not.toHaveProperty('from');
    expect(read).toMatchObject({ size: 1000, search_after: [1715594409999, 9_999] });
  });

  it('answers a page past the last key without searching', async () => {
    recorded.es.on('GET', `/${KEYS}/_count`, { status: 200, body: { count: 3 } });
    expect(await recorded.store.apiKeys.list({ page: 20, size: 1000 })).toEqual({ items: [], total: 3, page: 20, size: 1000 });
    expect(recorded.es.calls.map((c) => c.path)).toEqual([`/${KEYS}/_count`]);
  });
});
