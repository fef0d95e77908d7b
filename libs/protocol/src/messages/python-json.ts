/**
 * Python `json.dumps` with default settings: `", "` and `": "` separators and ensure_ascii
 * (non-ASCII as \uXXXX). Task message bodies are written this way so they match the original
 * byte for byte (docs/protocol.md, Task message).
 */
export function pythonJsonDumps(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return asciiString(value);
  if (typeof value === 'number') return Number.isFinite(value) ? JSON.stringify(value) : value > 0 ? 'Infinity' : Number.isNaN(value) ? 'NaN' : '-Infinity';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (Array.isArray(value)) return '[' + value.map((v) => pythonJsonDumps(v)).join(', ') + ']';
  if (typeof value === 'object') {
    const parts: string[] = [];
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (v === undefined) continue;
      parts.push(asciiString(k) + ': ' + pythonJsonDumps(v));
    }
    return '{' + parts.join(', ') + '}';
  }
  return asciiString(String(value));
}

function asciiString(s: string): string {
  return JSON.stringify(s).replace(/[\u007f-\uffff]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
}
