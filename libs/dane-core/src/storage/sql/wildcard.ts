/**
 * Elasticsearch-style wildcard (`*` any run, `?` one character; docs/protocol.md, Creator and search routes)
 * → a LIKE pattern with escape character `\`. LIKE's own `%`, `_` and `\` are escaped so they match
 * literally. Returns null for patterns that match everything (`*`, empty, absent), so no condition is added.
 */
export function wildcardToLike(pattern: string | undefined): string | null {
  if (pattern === undefined || pattern === '' || /^\*+$/.test(pattern)) return null;
  let out = '';
  for (const ch of pattern) {
    if (ch === '*') out += '%';
    else if (ch === '?') out += '_';
    else if (ch === '%' || ch === '_' || ch === '\\') out += '\\' + ch;
    else out += ch;
  }
  return out;
}
