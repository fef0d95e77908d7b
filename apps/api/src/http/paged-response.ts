import type { Response } from 'express';
import { Page } from '@dane/core';

/**
 * Lists the original answered as bare JSON lists stay lists for compatibility; the paging facts
 * travel in headers (X-Total-Count, X-Page, X-Page-Size).
 */
export function pagedList<T, V>(res: Response, page: Page<T>, view: (item: T) => V): V[] {
  res.setHeader('X-Total-Count', String(page.total));
  res.setHeader('X-Page', String(page.page));
  res.setHeader('X-Page-Size', String(page.size));
  return page.items.map(view);
}

/** OpenAPI headers of the lists that stay bare JSON lists. */
export const TOTAL_COUNT_HEADERS = {
  'X-Total-Count': { description: 'Number of items over all pages', schema: { type: 'integer' } },
  'X-Page': { description: 'The page answered (1-based)', schema: { type: 'integer' } },
  'X-Page-Size': { description: 'The page size used', schema: { type: 'integer' } },
};
