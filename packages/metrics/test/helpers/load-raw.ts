/**
 * Loads raw tables the way `tap-X | target-postgres` does: Singer SCHEMA and RECORD messages fed
 * to the real target-postgres CLI (packages/target-postgres/bin, its built dist) as a child
 * process, so the tables have exactly the names, shapes and types the taps produce.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { getTestPostgres } from '../../../../test/helpers/postgres.js';

const TARGET_BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'target-postgres', 'bin', 'target-postgres.js');

export type JsonType = 'string' | 'integer' | 'number' | 'boolean' | 'date' | 'date-time' | 'object' | 'array';

export interface RawStream {
  /** Stream name as the tap names it (`Opportunity`, `leads`); the target lower-cases it. */
  name: string;
  key: string[];
  properties: Record<string, JsonType>;
  rows: Record<string, unknown>[];
}

export function jsonSchemaOf(type: JsonType): Record<string, unknown> {
  if (type === 'date' || type === 'date-time') return { type: ['string', 'null'], format: type };
  if (type === 'object') return { type: ['object', 'null'] };
  if (type === 'array') return { type: ['array', 'null'] };
  return { type: [type, 'null'] };
}

export function singerMessages(streams: RawStream[]): string {
  const lines: string[] = [];
  for (const stream of streams) {
    const properties = Object.fromEntries(Object.entries(stream.properties).map(([name, type]) => [name, jsonSchemaOf(type)]));
    lines.push(JSON.stringify({ type: 'SCHEMA', stream: stream.name, key_properties: stream.key, schema: { type: 'object', properties } }));
    for (const row of stream.rows) {
      const record = Object.fromEntries(Object.keys(stream.properties).map((name) => [name, row[name] ?? null]));
      lines.push(JSON.stringify({ type: 'RECORD', stream: stream.name, record }));
    }
  }
  return lines.join('\n') + '\n';
}

/** Runs target-postgres into `schema`; rejects with its stderr when it fails. */
export async function loadThroughTarget(schema: string, streams: RawStream[]): Promise<void> {
  const { connectionString } = await getTestPostgres();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'metrics-load-'));
  const configFile = path.join(dir, 'target.json');
  await writeFile(configFile, JSON.stringify({ connection_string: connectionString, ssl_mode: 'disable', default_target_schema: schema }));
  try {
    const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(PG|DATABASE_URL$|SINGER_|MELTANO_|TARGET_POSTGRES_)/.test(name)));
    const child = spawn(process.execPath, [TARGET_BIN, '--config', configFile], { env, stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    child.stdin.on('error', () => undefined);
    child.stdin.end(singerMessages(streams));
    const code = await exited;
    if (code !== 0) throw new Error(`target-postgres exited with ${code}:\n${stderr.slice(-4000)}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
