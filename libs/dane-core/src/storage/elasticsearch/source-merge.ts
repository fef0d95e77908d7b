function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The source a partial `_update` leaves behind, computed the way Elasticsearch merges `doc`
 * (objects merged key by key, anything else — arrays, nulls, scalars — replaced). A write made at
 * a known version therefore tells us the stored result without reading it again.
 */
export function mergeDoc<T>(source: T, doc: Record<string, unknown>): T {
  const out: Record<string, unknown> = { ...(source as Record<string, unknown>) };
  for (const [key, value] of Object.entries(doc)) {
    out[key] = isObject(value) && isObject(out[key]) ? mergeDoc(out[key], value) : value;
  }
  return out as T;
}
