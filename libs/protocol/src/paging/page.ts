import { ValidationError } from '../errors';

/**
 * Every list pages and reports a total (architecture principle 6). Pages are 1-based (`page`, read
 * with OFFSET: what the original clients send), or follow a `cursor`: the opaque position after
 * the last item of the page before (keyset paging, O(page) however deep; see cursor.ts).
 */
export interface PageRequest {
  page: number;
  size: number;
  /** Read the items after this position (a `Page.next`); `page` is then ignored. */
  cursor?: string;
}

export interface Page<T> {
  items: T[];
  /** Over all pages; exact unless `totalEstimated`. */
  total: number;
  page: number;
  size: number;
  /** The cursor the page was read after, when it was asked for by cursor. */
  cursor?: string;
  /** The cursor of the next page; absent on the last page. */
  next?: string;
  /** Set (true) when `total` is an estimate: the list is larger than an exact count is worth (docs/protocol.md, Conventions). */
  totalEstimated?: true;
}

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;

/**
 * SQL stores count a list exactly up to this many items: a count that stops at the limit + 1 is
 * bounded work. A larger list's total is the planner's estimate, marked as one (`totalEstimated`;
 * docs/protocol.md, Conventions). Elasticsearch totals are always exact (`track_total_hits`).
 */
export const EXACT_TOTAL_LIMIT = 10_000;

/** Parses `page`/`size` query values; bad values are a ValidationError naming the parameter. */
export function pageRequest(page?: unknown, size?: unknown, defaultSize = DEFAULT_PAGE_SIZE): PageRequest {
  const num = (v: unknown, name: string, def: number, max: number): number => {
    if (v === undefined || v === null || v === '') return def;
    const s = String(v);
    if (!/^\d+$/.test(s)) throw new ValidationError(`${name} must be a positive integer (got ${JSON.stringify(v)})`);
    const n = parseInt(s, 10);
    if (n < 1 || n > max) throw new ValidationError(`${name} must be between 1 and ${max} (got ${n})`);
    return n;
  };
  return { page: num(page, 'page', 1, 1_000_000_000), size: num(size, 'size', defaultSize, MAX_PAGE_SIZE) };
}

/** Assembles a Page: the request's page, size and cursor, and the optional facts only when set. */
export function pageOfItems<T>(items: T[], request: PageRequest, total: number, facts: { next?: string; totalEstimated?: boolean } = {}): Page<T> {
  return {
    items,
    total,
    page: request.page,
    size: request.size,
    ...(request.cursor !== undefined ? { cursor: request.cursor } : {}),
    ...(facts.next !== undefined ? { next: facts.next } : {}),
    ...(facts.totalEstimated ? { totalEstimated: true as const } : {}),
  };
}
