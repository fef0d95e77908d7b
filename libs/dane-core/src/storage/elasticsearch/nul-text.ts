import { ValidationError } from '@dane/protocol';

function findNul(value: unknown, path: string): string | null {
  if (typeof value === 'string') return value.includes('\u0000') ? path : null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const hit = findNul(value[i], `${path}[${i}]`);
      if (hit) return hit;
    }
    return null;
  }
  if (typeof value === 'object' && value !== null) {
    for (const [key, v] of Object.entries(value)) {
      if (key.includes('\u0000')) return `${path}.<key>`;
      const hit = findNul(v, `${path}.${key}`);
      if (hit) return hit;
    }
  }
  return null;
}

/**
 * Text with a NUL character is refused on every store alike (the shared store contract): PostgreSQL
 * cannot hold it, and a result or message one store keeps and another refuses would make the API
 * answer differently per deployment. Elasticsearch would store it, so we check before writing.
 */
export function refuseNul(value: unknown, what: string): void {
  const path = findNul(value, what);
  if (path) throw new ValidationError(`Text containing a NUL character (\\u0000) cannot be stored: ${path}`);
}
