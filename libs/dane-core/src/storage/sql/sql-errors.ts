import { DaneError, ValidationError } from '@dane/protocol';

/** SQLSTATE of a database error (node-postgres and PGlite both set `code`). */
export function sqlState(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

export const FOREIGN_KEY_VIOLATION = '23503';
/** 22P05: \u0000 inside jsonb; 22021: a NUL byte in text. PostgreSQL cannot store either. */
const UNSTORABLE_INPUT = new Set(['22P05', '22021']);

/** Input PostgreSQL refuses to store is the client's mistake (400), not a server error. */
export function translateInputError(err: unknown): unknown {
  if (err instanceof DaneError) return err;
  const state = sqlState(err);
  if (state && UNSTORABLE_INPUT.has(state)) {
    return new ValidationError(`Text containing a NUL character (\\u0000) cannot be stored: ${(err as Error).message}`);
  }
  return err;
}
