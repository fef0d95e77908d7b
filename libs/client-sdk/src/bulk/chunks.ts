/** How bulk calls are split, and how they report. */
export interface ChunkOptions {
  /** Items per request; default 500 (well inside DANE.MAX_BODY_BYTES for ordinary documents). */
  chunkSize?: number;
  /** Called after every chunk. */
  onProgress?: (progress: BulkProgress) => void;
}

export interface BulkProgress {
  /** Items handled so far (any outcome) and in all. */
  done: number;
  total: number;
  /** Items that failed so far. */
  failed: number;
  /** 1-based number of the chunk just handled, and how many there are. */
  chunk: number;
  chunks: number;
}

export const DEFAULT_CHUNK_SIZE = 500;

export function chunksOf<T>(items: readonly T[], size = DEFAULT_CHUNK_SIZE): T[][] {
  if (!Number.isInteger(size) || size < 1) throw new TypeError(`chunkSize must be a whole number ≥ 1 (got ${size})`);
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
