import { PageRequest } from '@dane/protocol';

/** Collects bound values while a statement is built; `add` returns the placeholder (`$n`). */
export class SqlParams {
  readonly values: unknown[] = [];

  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/** `WHERE a AND b …`, or nothing when there are no conditions. */
export function whereClause(conditions: string[]): string {
  return conditions.length ? `WHERE ${conditions.join(' AND ')}` : '';
}

/** LIMIT/OFFSET of a 1-based page. */
export function pageClause(page: PageRequest, params: SqlParams): string {
  const size = Math.max(1, Math.trunc(page.size));
  const offset = (Math.max(1, Math.trunc(page.page)) - 1) * size;
  return `LIMIT ${params.add(size)} OFFSET ${params.add(offset)}`;
}
