import { ValidationError } from '../errors';

/**
 * Keyset cursors (docs/protocol.md, Conventions): the opaque `?cursor=` of a list's next page is
 * the base64url (RFC 4648, section 5, no padding) of the JSON array `[<list>, ...<sort key of the last
 * item>]`. The list tag (`t` tasks, `d` documents, `r` results) keeps a cursor from one kind of list
 * off another; the sort key is the store's insertion order (SQL: `seq`; Elasticsearch: the hit's
 * `sort` values), integers only. Clients must not build or take cursors apart: the form may change.
 */
export type CursorList = 'tasks' | 'documents' | 'results';

const TAGS: Record<CursorList, string> = { tasks: 't', documents: 'd', results: 'r' };

/** Longer than any cursor we give out (four 64-bit integers and a tag). */
export const MAX_CURSOR_LENGTH = 200;

const invalid = (why: string) => new ValidationError(`cursor ${why}: use the cursor of a Link header (rel="next") as it is`);

export function encodeCursor(list: CursorList, key: readonly number[]): string {
  return Buffer.from(JSON.stringify([TAGS[list], ...key]), 'utf8').toString('base64url');
}

/** A cursor's list tag and sort key; anything malformed is a 400 naming `cursor`. */
export function decodeCursor(cursor: unknown): { tag: string; key: number[] } {
  if (typeof cursor !== 'string') throw invalid('must be a string');
  if (cursor.length === 0 || cursor.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalid('is not a cursor this server gave out');
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid('is not a cursor this server gave out');
  }
  if (!Array.isArray(parsed) || parsed.length < 2 || typeof parsed[0] !== 'string') throw invalid('is not a cursor this server gave out');
  const key = parsed.slice(1);
  if (!key.every((v) => typeof v === 'number' && Number.isSafeInteger(v))) throw invalid('is not a cursor this server gave out');
  return { tag: parsed[0], key: key as number[] };
}

/** The sort key of a cursor given out by `list` with `arity` values; another list's cursor, or a bad one, is a 400. */
export function cursorKey(cursor: string, list: CursorList, arity: number): number[] {
  const { tag, key } = decodeCursor(cursor);
  if (tag !== TAGS[list]) throw invalid(`belongs to another kind of list (this one lists ${list})`);
  if (key.length !== arity) throw invalid('is not a cursor this server gave out');
  return key;
}
