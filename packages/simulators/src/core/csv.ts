export interface CsvOptions {
  delimiter?: string;
  lineEnding?: string;
  /** Quote every field (Salesforce bulk) instead of only where needed (Zuora, Marketo). */
  quoteAll?: boolean;
  /** Text written for null (Salesforce bulk: '' ; Marketo sometimes: 'null'). */
  nullText?: string;
  /** When quoteAll, whether null is written as `""` or as nothing between delimiters. */
  quoteNull?: boolean;
}

/** One CSV line (with its line ending), RFC 4180 quoting. */
export function csvLine(values: readonly unknown[], options: CsvOptions = {}): string {
  const delimiter = options.delimiter ?? ',';
  const out: string[] = [];
  for (const value of values) {
    if (value === null || value === undefined) {
      const text = options.nullText ?? '';
      out.push(options.quoteAll && options.quoteNull !== false ? `"${text}"` : text);
      continue;
    }
    const text = typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
    const needsQuotes = options.quoteAll || text.includes(delimiter) || text.includes('"') || text.includes('\n') || text.includes('\r');
    out.push(needsQuotes ? `"${text.replaceAll('"', '""')}"` : text);
  }
  return out.join(delimiter) + (options.lineEnding ?? '\n');
}
