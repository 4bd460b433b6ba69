/**
 * Runs the real target-postgres binary as a child process, feeds it Singer lines with
 * backpressure, and can SIGKILL it at a chosen point: after N bytes of input, right after its
 * N-th STATE on stdout, after a delay, or after the input ended. Also reads tables back for
 * comparison and finds the target's own Postgres sessions.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { SELECT_COLUMNS, type Row, type StreamName } from './source.js';

/** The built target; CRASH_TARGET_BIN points the tests at another build (e.g. a patched copy). */
export const BIN = process.env.CRASH_TARGET_BIN ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'target-postgres.js');

export type KillPlan =
  /** After writing exactly this many bytes of input (cut mid-line), and `settleMs` more for the target to act on them. */
  | { afterBytes: number; settleMs?: number }
  | { afterStates: number }
  | { afterMs: number }
  /** Input fully written and closed, then killed this many ms later (during the final flush). */
  | { afterEndMs: number };

export interface RunOptions {
  config: Record<string, unknown>;
  lines: Iterable<string>;
  kill?: KillPlan;
  /** Pause between chunks of `chunkLines` lines, to feed slowly (ms). */
  paceMs?: number;
  chunkLines?: number;
  /** Called after every chunk written; may await (e.g. to act on the database mid-load). */
  onChunk?: (info: { linesWritten: number; bytesWritten: number; states: unknown[] }) => Promise<void> | void;
  /** Stop feeding (leave stdin open) once this returns true. */
  holdInput?: () => boolean;
  env?: NodeJS.ProcessEnv;
  /** Called with the target's pid right after it started. */
  onSpawn?: (pid: number) => void;
  /** Called when the target process exits (before its output is fully read). */
  onExit?: () => void;
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  killed: boolean;
  /** Values of the STATE lines printed, in order. */
  states: unknown[];
  stdout: string;
  stderr: string;
  bytesWritten: number;
  linesWritten: number;
  ms: number;
}

export async function writeConfig(dir: string, config: Record<string, unknown>): Promise<string> {
  const file = path.join(dir, `config-${process.hrtime.bigint()}.json`);
  await fs.writeFile(file, JSON.stringify(config));
  return file;
}

export async function tempDir(t: { teardown(fn: () => unknown): void }): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'target-pg-crash-'));
  t.teardown(() => fs.rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Runs the target once; resolves when the process is gone and its output fully read. */
export async function runTarget(dir: string, options: RunOptions): Promise<RunResult & { pid: number }> {
  const started = Date.now();
  const configFile = await writeConfig(dir, options.config);
  const child = spawn(process.execPath, [BIN, '--config', configFile], { stdio: ['pipe', 'pipe', 'pipe'], env: options.env ?? process.env });
  const pid = child.pid!;
  options.onSpawn?.(pid);
  let stdout = '';
  let stderr = '';
  let partial = '';
  const states: unknown[] = [];
  let killed = false;
  let exited = false;
  const kill = () => {
    if (exited || killed) return;
    killed = true;
    child.kill('SIGKILL');
  };
  const closed = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal }));
  });
  child.on('exit', () => {
    exited = true;
    options.onExit?.();
  });
  child.stdin.on('error', () => undefined); // EPIPE once the target is gone
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    partial += chunk;
    const lines = partial.split('\n');
    partial = lines.pop()!;
    for (const line of lines) {
      const message = JSON.parse(line) as { type?: string; value?: unknown };
      if (message.type !== 'STATE') continue;
      states.push(message.value);
      // Synchronously, in the same tick the STATE is seen: the target is right past a commit.
      if (options.kill && 'afterStates' in options.kill && states.length >= options.kill.afterStates) kill();
    }
  });
  const plan = options.kill;
  let timer: NodeJS.Timeout | undefined;
  if (plan && 'afterMs' in plan) timer = setTimeout(kill, plan.afterMs);

  const drainOrGone = () =>
    new Promise<void>((resolve) => {
      const done = () => {
        child.stdin.off('drain', done);
        child.off('exit', done);
        resolve();
      };
      child.stdin.once('drain', done);
      child.once('exit', done);
    });

  let bytesWritten = 0;
  let linesWritten = 0;
  const gone = () => exited || killed;

  /** Writes lines; false once the target is gone or killed. */
  const write = async (lines: string[]): Promise<boolean> => {
    if (gone()) return false;
    if (lines.length === 0) return true;
    const text = lines.join('\n') + '\n';
    if (plan && 'afterBytes' in plan) {
      const bytes = Buffer.from(text);
      const room = plan.afterBytes - bytesWritten;
      if (bytes.length >= room) {
        // Cut the input at exactly the planned byte (usually mid-line), then kill.
        const cut = bytes.subarray(0, Math.max(0, room));
        if (cut.length > 0) child.stdin.write(cut);
        bytesWritten += cut.length;
        // Let the bytes reach the pipe (and, early in a run, the target start up and take them), then kill.
        await new Promise((resolve) => setTimeout(resolve, plan.settleMs ?? 0));
        kill();
        return false;
      }
    }
    bytesWritten += Buffer.byteLength(text);
    linesWritten += lines.length;
    if (!child.stdin.write(text)) await drainOrGone();
    return !gone();
  };

  const chunkLines = options.chunkLines ?? 200;
  let chunk: string[] = [];
  let complete = true;
  for (const line of options.lines) {
    chunk.push(line);
    if (chunk.length < chunkLines) continue;
    const lines = chunk;
    chunk = [];
    if (!(await write(lines))) {
      complete = false;
      break;
    }
    if (options.onChunk) await options.onChunk({ linesWritten, bytesWritten, states });
    while (options.holdInput?.() && !gone()) await new Promise((resolve) => setTimeout(resolve, 20));
    if (options.paceMs) await new Promise((resolve) => setTimeout(resolve, options.paceMs));
  }
  if (complete && (await write(chunk)) && !gone()) {
    child.stdin.end();
    if (plan && 'afterEndMs' in plan) setTimeout(kill, plan.afterEndMs);
    if (plan && 'afterBytes' in plan) kill(); // the planned byte is past the end: kill at the end
  }

  const { code, signal } = await closed;
  if (timer) clearTimeout(timer);
  return { pid, code, signal, killed, states, stdout, stderr, bytesWritten, linesWritten, ms: Date.now() - started };
}

/** The end of a target's stderr without its METRIC lines, for assertion messages. */
export function stderrTail(stderr: string, chars = 2000): string {
  return stderr.split('\n').filter((line) => !line.startsWith('INFO METRIC:')).join('\n').slice(-chars);
}

/** The rows of a stream's table, by key, as text; an absent table reads as empty. */
export async function readTable(client: pg.Client, schema: string, stream: StreamName): Promise<{ rows: Map<string, Row>; count: number; distinctKeys: number }> {
  const exists = await client.query<{ t: string | null }>('select to_regclass($1)::text as t', [`"${schema}"."${stream}"`]);
  if (!exists.rows[0]?.t) return { rows: new Map(), count: 0, distinctKeys: 0 };
  const columns = SELECT_COLUMNS[stream].map(([name, sql]) => `${sql} as "${name}"`).join(', ');
  const { rows } = await client.query<Row>(`select ${columns} from "${schema}"."${stream}" order by id`);
  const byKey = new Map<string, Row>();
  for (const row of rows) byKey.set(row.id!, row);
  return { rows: byKey, count: rows.length, distinctKeys: byKey.size };
}

/** Differences between actual and expected rows, at most `limit` of them, for a readable failure. */
export function diffRows(actual: Map<string, Row>, expected: Map<string, Row>, limit = 5): string[] {
  const problems: string[] = [];
  for (const [key, want] of expected) {
    const got = actual.get(key);
    if (!got) problems.push(`missing key ${key}`);
    else if (JSON.stringify(got) !== JSON.stringify(want)) problems.push(`key ${key}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
    if (problems.length >= limit) return problems;
  }
  for (const key of actual.keys()) {
    if (!expected.has(key)) problems.push(`unexpected key ${key}`);
    if (problems.length >= limit) break;
  }
  return problems;
}

/** Local TCP ports of the sockets a process holds open (Linux /proc), to find its Postgres sessions. */
export function localPortsOf(pid: number): number[] {
  const inodes = new Set<string>();
  try {
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      try {
        const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (match) inodes.add(match[1]!);
      } catch {
        // fd closed meanwhile
      }
    }
  } catch {
    return [];
  }
  const ports: number[] = [];
  for (const table of ['tcp', 'tcp6']) {
    let text = '';
    try {
      text = readFileSync(`/proc/${pid}/net/${table}`, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields.length < 10 || !inodes.has(fields[9]!)) continue;
      ports.push(parseInt(fields[1]!.split(':')[1]!, 16));
    }
  }
  return ports;
}

/** The target's own sessions (application_name target-postgres, client port one of its sockets). */
export async function sessionsOf(client: pg.Client, pid: number): Promise<Array<{ pid: number; state: string | null; wait: string | null; query: string }>> {
  const ports = localPortsOf(pid);
  if (ports.length === 0) return [];
  const { rows } = await client.query<{ pid: number; state: string | null; wait: string | null; query: string }>(
    `select pid, state, wait_event_type as wait, query from pg_stat_activity
      where application_name = 'target-postgres' and client_port = any($1::int[]) and pid <> pg_backend_pid()`,
    [ports],
  );
  return rows;
}
