import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MetricsSettings } from './config.js';

/** The package's own SQL directory (next to dist/ and src/). */
export const SQL_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'sql');

export interface SqlStatement {
  file: string;
  /** 1-based line of the statement's first character in the file. */
  line: number;
  text: string;
}

export interface SqlFile {
  name: string;
  /** The layer, from the number prefix: 0 setup, 1 staging, 2 model, 3 attribution, 4 metrics. */
  layer: number;
  statements: SqlStatement[];
}

export const LAYER_NAMES = ['setup', 'staging', 'common data model', 'attribution', 'metrics'] as const;

/** The build's files in dependency order: the numbered `NN_name.sql` files, ascending. */
export function buildFiles(settings: MetricsSettings, dir = SQL_DIR): SqlFile[] {
  return readdirSync(dir)
    .filter((name) => /^\d+_.+\.sql$/.test(name))
    .sort()
    .map((name) => ({ name, layer: Math.floor(Number(name.split('_')[0]) / 10), statements: readStatements(path.join(dir, name), settings) }));
}

export function readStatements(file: string, settings: MetricsSettings): SqlStatement[] {
  return splitStatements(render(readFileSync(file, 'utf8'), settings, file), path.basename(file));
}

const ident = (name: string): string => `"${name.replace(/"/g, '""')}"`;
const literal = (text: string): string => `'${text.replace(/'/g, "''")}'`;

/** Fills the {{placeholders}}; line breaks are kept, so errors point at the file's own lines. */
export function render(sql: string, s: MetricsSettings, file = 'sql'): string {
  const values: Record<string, string> = {
    target: ident(s.targetSchema),
    target_name: literal(s.targetSchema),
    salesforce_name: literal(s.sourceSchemas.salesforce),
    zuora_name: literal(s.sourceSchemas.zuora),
    marketo_name: literal(s.sourceSchemas.marketo),
    // target-postgres lower-cases identifiers; the config schema allows only [A-Za-z0-9_] here
    iacv_column: s.iacvField.toLowerCase(),
    iacv_field: literal(s.iacvField),
    gross_margin: String(s.grossMargin),
    fiscal_year_start_month: String(s.fiscalYearStartMonth),
    time_decay_half_life_days: String(s.timeDecayHalfLifeDays),
    as_of: s.asOf === null ? 'current_date' : literal(s.asOf),
  };
  return sql.replace(/\{\{(\w+)\}\}/g, (whole, key: string) => {
    const value = values[key];
    if (value === undefined) throw new Error(`${file}: unknown placeholder ${whole}`);
    return value;
  });
}

/**
 * Splits a file at the semicolons that end statements: not inside quotes, dollar quotes or
 * comments. Each statement keeps the line it starts on.
 */
export function splitStatements(sql: string, file: string): SqlStatement[] {
  const out: SqlStatement[] = [];
  let start = 0;
  let i = 0;
  const push = (end: number) => {
    const raw = sql.slice(start, end);
    const lead = raw.length - raw.trimStart().length;
    const text = raw.trim();
    if (text !== '' && !isOnlyComments(text)) out.push({ file, line: lineAt(sql, start + lead), text });
    start = end + 1;
  };
  while (i < sql.length) {
    const c = sql[i]!;
    if (c === '-' && sql[i + 1] === '-') {
      const nl = sql.indexOf('\n', i);
      i = nl < 0 ? sql.length : nl + 1;
    } else if (c === '/' && sql[i + 1] === '*') {
      const close = sql.indexOf('*/', i + 2);
      i = close < 0 ? sql.length : close + 2;
    } else if (c === "'" || c === '"') {
      let j = i + 1;
      while (j < sql.length && !(sql[j] === c && sql[j + 1] !== c)) j += sql[j] === c ? 2 : 1;
      i = j + 1;
    } else if (c === '$') {
      const tag = /^\$[A-Za-z_]*\$/.exec(sql.slice(i))?.[0];
      if (tag) {
        const close = sql.indexOf(tag, i + tag.length);
        i = close < 0 ? sql.length : close + tag.length;
      } else i++;
    } else if (c === ';') {
      push(i);
      i++;
    } else i++;
  }
  push(sql.length);
  return out;
}

function isOnlyComments(text: string): boolean {
  return text.split('\n').every((line) => line.trim() === '' || line.trim().startsWith('--'));
}

export function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text[i] === '\n') line++;
  return line;
}
