import { ValidationError } from '@dane/core';

/** Ids of `?doc=a&doc=b`, `?doc[]=a&doc[]=b` and `?doc=a,b` (docs/protocol.md, Document routes), in order, duplicates kept out. */
export function idList(query: Record<string, unknown>, name: string): string[] {
  const values = [query[name], query[`${name}[]`]].flatMap((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]));
  const ids: string[] = [];
  for (const v of values) {
    if (typeof v !== 'string') throw new ValidationError(`${name} must be a list of document ids`);
    for (const part of v.split(',')) {
      const id = part.trim();
      if (id && !ids.includes(id)) ids.push(id);
    }
  }
  return ids;
}
