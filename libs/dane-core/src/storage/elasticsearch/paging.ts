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
 */
export const TASK_ORDER: Sort = [{ 'dane_node.seq': { order: 'asc', missing: 0 } }, { created_at: { order: 'asc', missing: 0 } }, { _seq_no: 'asc' }];

export interface SearchBody {
  query: Query;
  _source?: unknown;
}

/** The sort values of a hit as a cursor key, when they are all integers (they are for TASK_ORDER and WRITE_ORDER). */
function cursorOf(list: CursorList, hit: EsHit<unknown> | undefined): string | undefined {
  const key = hit?.sort;
  if (!key || key.length === 0 || !key.every((v) => typeof v === 'number' && Number.isSafeInteger(v))) return undefined;
  return encodeCursor(list, key as number[]);
}

/**
 * One page with its total (`track_total_hits: true`, so totals past 10,000 are exact) and the
 * cursor of the next page (`next`, absent on the last page: the hit sort values of the page's last hit).
 *
 * By cursor: `search_after` the cursor's sort values, one hit more than the page to tell whether a
 * next page exists — O(page) at any depth. By page number: pages within the first 10,000 hits use
 * from/size; deeper pages walk there with search_after in steps of 10,000 (hits without source) and
 * then read the page. The walk is not a snapshot: writes between its steps may shift the page by the
 * documents they add or remove.
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
    return { hits, total: res.total, next: res.hits.length > page.size ? cursorOf(list, hits[hits.length - 1]) : undefined };
  }
  const from = (page.page - 1) * page.size;
  const withNext = (res: { hits: EsHit<S>[]; total: number }) => ({
    ...res,
    next: res.hits.length > 0 && from + res.hits.length < res.total ? cursorOf(list, res.hits[res.hits.length - 1]) : undefined,
  });
  if (from + page.size <= MAX_WINDOW) {
    return withNext(await index.search<S>({ ...body, sort, from, size: page.size, track_total_hits: true }));
  }
  let after: unknown[] | undefined;
  let skipped = 0;
  while (skipped < from) {
    const step = Math.min(MAX_WINDOW, from - skipped);
    const { hits } = await index.search<S>({ query: body.query, _source: false, sort, size: step, search_after: after, track_total_hits: false });
    skipped += hits.length;
    if (hits.length < step) return { hits: [], total: skipped };
    after = hits[hits.length - 1].sort;
  }
  return withNext(await index.search<S>({ ...body, sort, size: page.size, search_after: after, track_total_hits: true }));
}

/**
 * Every hit of a query in `sort` order, a chunk at a time, walked with search_after: internal
 * scans never stop at a window or a default size (architecture principle 6).
 */
export async function* scanPages<S>(index: EsIndex, body: SearchBody & Record<string, unknown>, sort: Sort, chunk = 1000): AsyncGenerator<EsHit<S>[]> {
  let after: unknown[] | undefined;
  for (;;) {
    const { hits } = await index.search<S>({ ...body, sort, size: chunk, search_after: after, track_total_hits: false });
    if (hits.length > 0) yield hits;
    if (hits.length < chunk) return;
    after = hits[hits.length - 1].sort;
  }
}

export async function scanAll<S>(index: EsIndex, body: SearchBody & Record<string, unknown>, sort: Sort): Promise<EsHit<S>[]> {
  const all: EsHit<S>[] = [];
  for await (const hits of scanPages<S>(index, body, sort)) all.push(...hits);
  return all;
}
