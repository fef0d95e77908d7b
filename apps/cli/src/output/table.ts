type Align = 'left' | 'right';

export interface Column {
  header: string;
  align?: Align;
  /** Longer cells are cut with `…`. */
  max?: number;
}

function fit(text: string, max?: number): string {
  const single = text.replace(/\s+/g, ' ');
  return max && single.length > max ? single.slice(0, max - 1) + '…' : single;
}

/** Plain aligned columns, two spaces apart: what `dane tasks` and `dane watch` print. */
export function renderTable(columns: readonly Column[], rows: readonly (string | number | null | undefined)[][]): string[] {
  const cells = rows.map((row) => columns.map((c, i) => fit(row[i] === null || row[i] === undefined ? '' : String(row[i]), c.max)));
  const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((r) => r[i].length)));
  const line = (values: string[]) =>
    values
      .map((v, i) => (columns[i].align === 'right' ? v.padStart(widths[i]) : v.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.header)), ...cells.map(line)];
}
