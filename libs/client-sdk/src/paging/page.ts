import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '@dane/protocol';
import type { ApiResponse } from '../http/http-transport';

export { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE };

/** One page of a list: its items and the total over all pages (architecture principle 6). */
export interface Page<T> {
  items: T[];
  total: number;
  /** 1-based. */
  page: number;
  size: number;
}

export type PageFetcher<T> = (page: number, size: number) => Promise<Page<T>>;

/**
 * A list on the server, read a page at a time. `page(n)` answers one page; iterating (or `all()`)
 * walks the pages until the total is reached, asking for the largest pages the server allows.
 * Lists are in insertion order, so items added while walking show up at the end.
 */
export class PagedQuery<T> implements AsyncIterable<T> {
  constructor(
    private readonly fetchPage: PageFetcher<T>,
    readonly pageSize = DEFAULT_PAGE_SIZE,
  ) {}

  page(page = 1, size = this.pageSize): Promise<Page<T>> {
    return this.fetchPage(page, size);
  }

  /** The total alone: one item is fetched. */
  async total(): Promise<number> {
    return (await this.fetchPage(1, 1)).total;
  }

  async *pages(size = MAX_PAGE_SIZE): AsyncGenerator<Page<T>> {
    for (let n = 1; ; n++) {
      const page = await this.fetchPage(n, size);
      yield page;
      if (page.items.length === 0 || n * size >= page.total) return;
    }
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for await (const page of this.pages()) yield* page.items;
  }

  async all(): Promise<T[]> {
    const items: T[] = [];
    for await (const item of this) items.push(item);
    return items;
  }

  /** The same list with every item turned into something else (views into model objects). */
  map<U>(fn: (item: T) => U): PagedQuery<U> {
    return new PagedQuery<U>(async (page, size) => {
      const p = await this.fetchPage(page, size);
      return { ...p, items: p.items.map(fn) };
    }, this.pageSize);
  }
}

/** A bare-list answer whose total travels in X-Total-Count (and X-Page, X-Page-Size). */
export function pageFromHeaders<T>(res: ApiResponse<T[]>, page: number, size: number): Page<T> {
  const items = Array.isArray(res.body) ? res.body : [];
  return {
    items,
    total: headerNumber(res.headers, 'x-total-count') ?? items.length,
    page: headerNumber(res.headers, 'x-page') ?? page,
    size: headerNumber(res.headers, 'x-page-size') ?? size,
  };
}

/** An answer `{total, <listKey>: [...]}` (search, workers/<key>, results). */
export function pageFromBody<T>(body: Record<string, unknown> | undefined, listKey: string, page: number, size: number): Page<T> {
  const list = body?.[listKey];
  const items = (Array.isArray(list) ? list : []) as T[];
  const total = Number(body?.total);
  return { items, total: Number.isFinite(total) ? total : items.length, page, size };
}

function headerNumber(headers: Headers, name: string): number | undefined {
  const raw = headers.get(name);
  if (raw === null || !/^\d+$/.test(raw)) return undefined;
  return Number(raw);
}
