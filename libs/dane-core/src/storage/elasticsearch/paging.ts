import { CursorList, cursorKey, encodeCursor, PageRequest } from '@dane/protocol';
import { EsHit, EsIndex, Query } from './es-index';

/** Elasticsearch's default `index.max_result_window`: from + size may not pass it. */
export const MAX_WINDOW = 10_000;

export type Sort = Record<string, unknown>[];

/**
 * Insertion order of documents and results: neither is ever updated (not by Python, not by us),
 * so their `_seq_no` on the single shard (ensure-index.ts) is the order they were written in.
 */
export const WRITE_ORDER: Sort = [{ _seq_no: 'asc' }];

/**
 * Insertion order of tasks: our `dane_node.seq`; tasks Python wrote have none (0) and come first,
 * by created_at. `_seq_no` makes the order total, which search_after needs. `missing: 0` rather
 * than `_first`, whose sort value (Long.MIN_VALUE) does not survive a JavaScript number.
 *
 * `_seq_no` moves on every update, and Python's tasks tie on second-resolution created_at: across
 * separate searches an updated task can move behind the cursor. Walks that must neither skip nor
 * repeat (scans, deep pages) therefore run in a point in time (withPointInTime), where every value is
 * frozen and `_shard_doc` breaks ties. Cursor pages across API requests cannot hold a PIT open for a
 * client; there an update can only move a task *later* (its `_seq_no` grows), so a Python task that
 * ties with the cursor's created_at may show up again, but no task is skipped.
 */
export const TASK_ORDER: Sort = [{ 'dane_node.seq': { order: 'asc', missing: 0 } }, { created_at: { order: 'asc', missing: 0 } }, { _seq_no: 'asc' }];

/** The tie-breaker of a search in a point in time (ES 7.12+): the document's place in the frozen shard. */
const SHARD_DOC = { _shard_doc: 'asc' };

/**
 * One point in time on the index (`POST /<index>/_pit?keep_alive=1m`): its searches (`POST /_search`
 * with `pit`) see the index as it was when it was opened, whatever is written meanwhile — the walk
 * may even write into the set it walks. Always closed (`DELETE /_pit`), on error too.
 */
export class PointInTime {
  private constructor(
    private readonly index: EsIndex,
    private id: string,
  ) {}

  static async open(index: EsIndex, target?: string): Promise<PointInTime> {
    return new PointInTime(index, await index.openPointInTime(target));
  }

  /** `sort` with the `_shard_doc` tie-breaker; hits' `sort` values carry it last. */
  async search<S>(body: Record<string, unknown>, sort: Sort): Promise<{ hits: EsHit<S>[]; total: number }> {
    const res = await this.index.searchAt<S>(this.id, { ...body, sort: [...sort, SHARD_DOC] });
    this.id = res.pitId;
    return res;
  }

  close(): Promise<void> {
    return this.index.closePointInTime(this.id);
  }
}

/** Runs `walk` in a point in time that is closed afterwards, however `walk` ends. */
export async function withPointInTime<T>(index: EsIndex, walk: (pit: PointInTime) => Promise<T>, target?: string): Promise<T> {
  const pit = await PointInTime.open(index, target);
  try {
    return await walk(pit);
  } finally {
    await pit.close();
  }
}

export interface SearchBody {
  query: Query;
  _source?: unknown;
}

/**
 * The sort values of a hit as a cursor key, when they are all integers (they are for TASK_ORDER and
 * WRITE_ORDER); only the first `length` (a hit from a point in time also carries `_shard_doc`).
 */
function cursorOf(list: CursorList, hit: EsHit<unknown> | undefined, length: number): string | undefined {
  const key = hit?.sort?.slice(0, length);
  if (!key || key.length === 0 || !key.every((v) => typeof v === 'number' && Number.isSafeInteger(v))) return undefined;
  return encodeCursor(list, key as number[]);
}

/**
 * One page with its total (`track_total_hits: true`, so totals past 10,000 are exact) and the
 * cursor of the next page (`next`, absent on the last page: the hit sort values of the page's last hit).
 *
 * By cursor: `search_after` the cursor's sort values, one hit more than the page to tell whether a
 * next page exists — O(page) at any depth (see TASK_ORDER for what an update between two requests
 * can do). By page number, as the REST contract numbers pages (libs/protocol paging, page.ts):
 * pages within the first 10,000 hits use from/size, one search, so the page is what the index
 * shows at that moment; deeper pages walk there with search_after in steps of 10,000 (hits
 * without source) inside one point in time and read the page in it too, so writes during the walk
 * neither skip nor repeat hits.
 */
export async function searchPage<S>(
  index: EsIndex,
  body: SearchBody,
  sort: Sort,
  page: PageRequest,
  list: CursorList,
): Promise<{ hits: EsHit<S>[]; total: number; next?: string }> {
  if (page.cursor !== undefined) {
    const after = cursorKey(page.cursor, list, sort.length);
    const res = await index.search<S>({ ...body, sort, size: page.size + 1, search_after: after, track_total_hits: true });
    const hits = res.hits.slice(0, page.size);
    return { hits, total: res.total, next: res.hits.length > page.size ? cursorOf(list, hits[hits.length - 1], sort.length) : undefined };
  }
  const from = (page.page - 1) * page.size;
  const withNext = (res: { hits: EsHit<S>[]; total: number }) => ({
    ...res,
    next: res.hits.length > 0 && from + res.hits.length < res.total ? cursorOf(list, res.hits[res.hits.length - 1], sort.length) : undefined,
  });
  if (from + page.size <= MAX_WINDOW) {
    return withNext(await index.search<S>({ ...body, sort, from, size: page.size, track_total_hits: true }));
  }
  return withPointInTime(index, async (pit) => {
    const { after, walked } = await walkPast(pit, body.query, sort, from);
    if (walked < from) return { hits: [], total: walked };
    return withNext(await pit.search<S>({ ...body, size: page.size, search_after: after, track_total_hits: true }, sort));
  });
}

/**
 * Walks the first `from` hits of a point in time in steps of 10,000 hits without source: the sort
 * values to search after, and how many hits there were (fewer than `from`: the walk ran out).
 */
export async function walkPast(pit: PointInTime, query: Query, sort: Sort, from: number): Promise<{ after?: unknown[]; walked: number }> {
  let after: unknown[] | undefined;
  let walked = 0;
  while (walked < from) {
    const step = Math.min(MAX_WINDOW, from - walked);
    const { hits } = await pit.search({ query, _source: false, size: step, search_after: after, track_total_hits: false }, sort);
    walked += hits.length;
    if (hits.length < step) break;
    after = hits[hits.length - 1].sort;
  }
  return { after, walked };
}

/**
 * Every hit of a query in `sort` order, a chunk at a time, walked with search_after in one point in
 * time: internal scans never stop at a window or a default size (architecture principle 6), and
 * what the caller writes between chunks (a release moving tasks out of 412, a claim changing
 * `_seq_no`) neither hides a hit nor shows one twice. Hits are as they were when the scan began:
 * writes based on them stay conditional (re-read by id, or at the version read). The PIT is closed
 * when the scan ends, fails, or the caller stops early.
 */
export async function* scanPages<S>(index: EsIndex, body: SearchBody & Record<string, unknown>, sort: Sort, chunk = 1000): AsyncGenerator<EsHit<S>[]> {
  const pit = await PointInTime.open(index);
  try {
    let after: unknown[] | undefined;
    for (;;) {
      const { hits } = await pit.search<S>({ ...body, size: chunk, search_after: after, track_total_hits: false }, sort);
      if (hits.length > 0) yield hits;
      if (hits.length < chunk) return;
      after = hits[hits.length - 1].sort;
    }
  } finally {
    await pit.close();
  }
}

export async function scanAll<S>(index: EsIndex, body: SearchBody & Record<string, unknown>, sort: Sort): Promise<EsHit<S>[]> {
  const all: EsHit<S>[] = [];
  for await (const hits of scanPages<S>(index, body, sort)) all.push(...hits);
  return all;
}
