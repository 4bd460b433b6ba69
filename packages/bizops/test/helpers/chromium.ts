/** The page as a real headless Chromium leaves it after its scripts ran (Debian's `chromium`). */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { isCi } from '../../src/warehouse.js';

export const CHROMIUM = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';
const missing = existsSync(CHROMIUM) ? undefined : `no Chromium at ${CHROMIUM} (install Debian's chromium, or set CHROMIUM_BIN)`;
/** The skip reason of a test that needs Chromium: none in CI, where a missing one must fail, not pass unseen. */
export const chromiumMissing = missing !== undefined && !isCi(process.env) ? missing : false;

/**
 * Offline: every host resolves to nothing and every request goes to a closed proxy port, so a page
 * that needed the network would show it (no data-rendered, numbers missing), not fetch it.
 */
const OFFLINE = ['--proxy-server=127.0.0.1:9', '--host-resolver-rules=MAP * ~NOTFOUND'];

/** `hash` (without '#') is appended to the file's URL, as a link to one view of the page would be. */
export async function dumpDom(htmlFile: string, hash = ''): Promise<string> {
  if (missing) throw new Error(missing);
  const profile = mkdtempSync(path.join(os.tmpdir(), 'bizops-chromium-'));
  const flags = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', ...OFFLINE, `--user-data-dir=${profile}`];
  const url = pathToFileURL(htmlFile).href + (hash ? `#${hash}` : '');
  try {
    return await new Promise((resolve, reject) => {
      execFile(CHROMIUM, [...flags, '--dump-dom', url], { maxBuffer: 64 * 1024 * 1024, timeout: 120_000 }, (error, stdout, stderr) => {
        if (error) reject(new Error(`chromium failed: ${error.message}\n${stderr.slice(-2000)}`));
        else resolve(stdout);
      });
    });
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}

export interface DomCell {
  field: string;
  value: string;
  text: string;
}

export interface DomRow {
  attrs: Record<string, string>;
  cells: DomCell[];
}

const decode = (text: string) => text.replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&nbsp;/g, ' ');

export function attributes(tag: string): Record<string, string> {
  return Object.fromEntries([...tag.matchAll(/([\w-]+)="([^"]*)"/g)].map((m) => [m[1]!, decode(m[2]!)]));
}

/** The body rows of `<table data-table="name">`, with each number cell's field, data-value and shown text. */
export function tableRows(dom: string, name: string): DomRow[] {
  const start = dom.indexOf(`<table data-table="${name}"`);
  if (start < 0) return [];
  const body = dom.slice(dom.indexOf('<tbody>', start), dom.indexOf('</table>', start));
  return [...body.matchAll(/<tr([^>]*)>(.*?)<\/tr>/gs)].map((m) => ({
    attrs: attributes(m[1]!),
    cells: [...m[2]!.matchAll(/<td([^>]*data-field="[^"]*"[^>]*)>(.*?)<\/td>/gs)].map((c) => {
      const a = attributes(c[1]!);
      return { field: a['data-field']!, value: a['data-value'] ?? '', text: decode(c[2]!) };
    }),
  }));
}
