/** Server-local wall clock without zone or fraction: `YYYY-MM-DDTHH:MM:SS` (docs/protocol.md, Timestamps). */
export function formatTimestamp(date: Date = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${String(date.getFullYear()).padStart(4, '0')}-${p(date.getMonth() + 1)}-${p(date.getDate())}` + `T${p(date.getHours())}:${p(date.getMinutes())}:${p(date.getSeconds())}`;
}

export const TIMESTAMP_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/;
