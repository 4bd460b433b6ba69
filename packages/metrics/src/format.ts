import type { MetricRow } from './show.js';

export const FORMATS = ['table', 'csv', 'json'] as const;
export type Format = (typeof FORMATS)[number];

export function formatRows(rows: MetricRow[], format: Format): string {
  if (format === 'json') return JSON.stringify(rows) + '\n';
  const columns = rows[0] ? Object.keys(rows[0]) : [];
  const text = (value: MetricRow[string] | undefined): string => (value === null || value === undefined ? '' : String(value));
  if (format === 'csv') {
    const cell = (value: string): string => (/[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);
    return [columns, ...rows.map((row) => columns.map((c) => text(row[c])))].map((cells) => cells.map(cell).join(',')).join('\n') + '\n';
  }
  if (rows.length === 0) return '(no rows)\n';
  const cells = rows.map((row) => columns.map((c) => text(row[c])));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i]!.length)));
  const numeric = columns.map((c) => rows.every((row) => row[c] === null || typeof row[c] === 'number'));
  const line = (values: string[]) => values.map((v, i) => (numeric[i] ? v.padStart(widths[i]!) : v.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(columns), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n') + '\n';
}
