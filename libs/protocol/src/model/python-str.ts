/**
 * Python `str()` of a JSON scalar, as DANE hashes ids with it (docs/protocol.md, Document id):
 * `12345` → "12345", `true` → "True", `1.0` (a float) → "1.0", `null` → "None".
 * JSON cannot tell 1.0 from 1, so integral numbers render as ints, like `json.loads` would give.
 */
export function pythonStr(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'number') {
    if (Number.isInteger(value)) return String(value);
    if (!Number.isFinite(value)) return Number.isNaN(value) ? 'nan' : value > 0 ? 'inf' : '-inf';
    const s = String(value);
    // Python writes 1e-05 / 1e+16 where JS writes 1e-5 / 1e+16.
    return s.replace(/e([+-])(\d)$/, 'e$10$2');
  }
  return String(value);
}
