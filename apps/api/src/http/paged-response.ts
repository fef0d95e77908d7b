import type { Request, Response } from 'express';
import { EXACT_TOTAL_LIMIT, Page } from '@dane/core';

/**
 * Lists the original answered as bare JSON lists stay lists for compatibility; the paging facts
 * travel in headers (X-Total-Count, X-Total-Count-Estimated, X-Page, X-Page-Size; docs/protocol.md,
 * Conventions). No Link header: see cursorPagedList for the lists that take `?cursor=`.
 */
export function pagedList<T, V>(res: Response, page: Page<T>, view: (item: T) => V): V[] {
  setPagingHeaders(res, page, false);
  return page.items.map(view);
}

/** pagedList for the lists that page by cursor too: with `Link: <…?cursor=…&size=…>; rel="next"` while a next page exists. */
export function cursorPagedList<T, V>(res: Response, page: Page<T>, view: (item: T) => V): V[] {
  setPagingHeaders(res, page, true);
  return page.items.map(view);
}

/**
 * The paging headers of a page: its total (and whether that is an estimate), its number (not for a
 * page read by cursor, which has none) and size, and — with `link` — the RFC 8288 link to the next
 * page. Lists answering `{"total", …}` set them too.
 */
export function setPagingHeaders(res: Response, page: Page<unknown>, link: boolean): void {
  res.setHeader('X-Total-Count', String(page.total));
  res.setHeader('X-Total-Count-Estimated', page.totalEstimated ? 'true' : 'false');
  if (page.cursor === undefined) res.setHeader('X-Page', String(page.page));
  res.setHeader('X-Page-Size', String(page.size));
  if (link && page.next !== undefined) res.setHeader('Link', `<${nextPageUrl(res.req, page.next, page.size)}>; rel="next"`);
}

/**
 * The request's own path and query (filters kept) with `page` and `cursor` replaced by the next
 * cursor and `size` made explicit: a reference from the server root, as the client called it.
 */
function nextPageUrl(req: Request, cursor: string, size: number): string {
  const at = req.originalUrl.indexOf('?');
  const path = at === -1 ? req.originalUrl : req.originalUrl.slice(0, at);
  const query = new URLSearchParams(at === -1 ? '' : req.originalUrl.slice(at + 1));
  query.delete('page');
  query.delete('cursor');
  query.delete('size');
  query.set('cursor', cursor);
  query.set('size', String(size));
  return `${path}?${query.toString()}`;
}

/** OpenAPI headers of every paged list. */
export const TOTAL_COUNT_HEADERS = {
  'X-Total-Count': { description: 'Number of items over all pages; an estimate when X-Total-Count-Estimated is true', schema: { type: 'integer' } },
  'X-Total-Count-Estimated': {
    description: `"true" when the list is larger than an exact count is worth (more than ${EXACT_TOTAL_LIMIT.toLocaleString('en')} items on PostgreSQL/PGlite) and X-Total-Count is the planner's estimate; else "false"`,
    schema: { type: 'string', enum: ['true', 'false'] },
  },
  'X-Page': { description: 'The page answered (1-based); absent when read by cursor', schema: { type: 'integer' } },
  'X-Page-Size': { description: 'The page size used', schema: { type: 'integer' } },
};

/** OpenAPI headers of the lists that also page by cursor. */
export const CURSOR_PAGING_HEADERS = {
  ...TOTAL_COUNT_HEADERS,
  Link: {
    description: 'RFC 8288 link to the next page, present while there is one: `</DANE/…?…&cursor=<opaque>&size=<n>>; rel="next"` (filters kept, `page` dropped)',
    schema: { type: 'string' },
  },
};
