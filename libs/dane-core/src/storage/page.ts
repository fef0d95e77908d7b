import { ValidationError } from '../errors';

/** Every list pages and reports a total (architecture principle 6). Pages are 1-based. */
export interface PageRequest {
  page: number;
  size: number;
}

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  size: number;
}

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;

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
