/**
 * Runs the real target-postgres CLI (bin/target-postgres.js, which imports dist: build first)
 * as a child process, and reads tables back in a comparable, deterministic form.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';

export const TARGET_BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'target-postgres.js');

export interface TargetResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** The `value` of every STATE line printed on stdout, in order. */
  states: unknown[];
}

export interface RunTargetArgs {
  /** Written to a temporary config file passed with `--config`. */
  config: object;
  /**
   * Singer input for stdin. An array is written piece by piece: before each piece after the
   * first, the runner waits (up to `stageTimeoutMs`) until one more STATE line than before has
   * appeared on stdout, so a test can make the target commit and print a state before it sees
   * what comes next (a failure, say).
   */
  input: string | string[];
  env?: NodeJS.ProcessEnv;
  stageTimeoutMs?: number;
  /** Kill the process after this long (default 60 s). */
  timeoutMs?: number;
}

export async function runTarget(args: RunTargetArgs): Promise<TargetResult> {
  const fs = await import('node:fs/promises');
  const os = await import('node:os');
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'target-postgres-run-'));
  const configFile = path.join(dir, 'config.json');
  await fs.writeFile(configFile, JSON.stringify(args.config));
  try {
    return await spawnTarget(['--config', configFile], args);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

function spawnTarget(argv: string[], args: RunTargetArgs): Promise<TargetResult> {
  // The parent's PG* variables must not steer the target to another server, nor a log level hide errors.
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(PG|DATABASE_URL$|PG_|SINGER_|MELTANO_|TARGET_POSTGRES_)/.test(name)));
  const child = spawn(process.execPath, [TARGET_BIN, ...argv], { env: { ...inherited, ...args.env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let stateCount = 0;
  const waiters: Array<{ count: number; resolve: () => void }> = [];
  const countStates = (text: string) => text.split('\n').filter((line) => line.startsWith('{') && line.includes('"STATE"')).length;
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    stateCount = countStates(stdout);
    for (const waiter of waiters.splice(0)) {
      if (stateCount >= waiter.count) waiter.resolve();
      else waiters.push(waiter);
    }
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  // A target that exits early closes stdin: writing more must not crash the test.
  child.stdin.on('error', () => undefined);
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const killer = setTimeout(() => child.kill('SIGKILL'), args.timeoutMs ?? 60_000);

  const feed = async () => {
    const pieces = typeof args.input === 'string' ? [args.input] : args.input;
    let closed = false;
    void exited.then(() => (closed = true));
    for (const [i, piece] of pieces.entries()) {
      if (i > 0) {
        const wanted = stateCount + 1;
        await Promise.race([
          new Promise<void>((resolve) => (stateCount >= wanted ? resolve() : waiters.push({ count: wanted, resolve }))),
          new Promise<void>((resolve) => setTimeout(resolve, args.stageTimeoutMs ?? 10_000)),
          exited.then(() => undefined),
        ]);
      }
      if (closed) return;
      await new Promise<void>((resolve) => child.stdin.write(piece, () => resolve()));
    }
    child.stdin.end();
  };

  return (async () => {
    await feed();
    const code = await exited;
    clearTimeout(killer);
    return { code, stdout, stderr, states: parseStates(stdout) };
  })();
}

export function parseStates(stdout: string): unknown[] {
  return stdout
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as { type?: string; value?: unknown })
    .filter((message) => message.type === 'STATE')
    .map((message) => message.value);
}

function quote(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Every column as text (timestamps in UTC), rows ordered by all columns. */
export async function readTable(client: pg.ClientBase, schema: string, table: string): Promise<Array<Record<string, string | null>>> {
  await client.query("SET TimeZone = 'UTC'");
  const columns = await tableColumns(client, schema, table);
  if (columns.length === 0) return [];
  const list = columns.map((c) => `${quote(c.name)}::text AS ${quote(c.name)}`).join(', ');
  const order = columns.map((_, i) => `${i + 1}`).join(', ');
  const { rows } = await client.query<Record<string, string | null>>(`SELECT ${list} FROM ${quote(schema)}.${quote(table)} ORDER BY ${order}`);
  return rows;
}

/** Columns in table order with their types as `format_type()` prints them. */
export async function tableColumns(client: pg.ClientBase, schema: string, table: string): Promise<Array<{ name: string; type: string }>> {
  const { rows } = await client.query<{ name: string; type: string }>(
    `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type
       FROM pg_attribute a
       JOIN pg_class c ON c.oid = a.attrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relname = $2 AND a.attnum > 0 AND NOT a.attisdropped
      ORDER BY a.attnum`,
    [schema, table],
  );
  return rows;
}

/** Ordinary tables of a schema, by name. */
export async function listTables(client: pg.ClientBase, schema: string): Promise<string[]> {
  const { rows } = await client.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') ORDER BY 1`,
    [schema],
  );
  return rows.map((row) => row.name);
}
