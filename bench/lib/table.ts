export type Cell = string | number | null | undefined;
export type Row = Record<string, Cell>;

const formatCell = (value: Cell): string => {
  if (value === null || value === undefined || (typeof value === 'number' && Number.isNaN(value))) return '-';
  if (typeof value === 'string') return value;
  if (Number.isInteger(value)) return value.toLocaleString('en-US');
  return Math.abs(value) >= 100 ? Math.round(value).toLocaleString('en-US') : value.toPrecision(3);
};

/** A Markdown table (pasteable into BENCHMARKS.md), columns in first-seen order. */
export function markdownTable(rows: readonly Row[]): string {
  const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))];
  const cells = rows.map((row) => columns.map((column) => formatCell(row[column])));
  const widths = columns.map((column, i) => Math.max(column.length, ...cells.map((line) => line[i]!.length)));
  const line = (values: string[]) => `| ${values.map((value, i) => value.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(columns), `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`, ...cells.map(line)].join('\n');
}

export const mib = (bytes: number) => bytes / (1024 * 1024);
export const kib = (bytes: number) => bytes / 1024;
